package io.vigie.learner;

import java.util.Arrays;

/**
 * How a committee decides on a binary stream where one class is rare: at the line of
 * class-1 probability that gave the best kappa over its latest {@value #WINDOW} labelled
 * predictions, as they were scored. Where both classes are common, or where no line reaches a
 * kappa of {@value #SKILL}, it stands aside and the most probable class is the answer.
 *
 * <p>Why: a committee's distribution is a weighted average of its experts'. When the rare class
 * is under a fifth of the labels, each expert names it on different events, and their average
 * almost never reaches one half: on a credit stream with 6.7 % positive the committee ranked as
 * well as its best expert (PR-AUC 0.351 against 0.337 for ARF) but its most probable class gave
 * kappa 0.079 against ARF's 0.187; at its kappa line, 0.38. Kappa weighs both classes alike
 * (the line on class 1's probability is the line on class 0's), and the line follows the model
 * as it learns, recomputed every {@value #EVERY} labels. On streams where neither class is rare
 * the most probable class is kept: moving the line there trades accuracy for little (Elec2,
 * 42 % / 58 %: 91.04 % → 90.75 %).
 *
 * <p>Costs or an alert budget, when a model has them, decide instead.
 */
public final class KappaLine implements DecisionRule {
    private static final long serialVersionUID = 1L;
    public static final int WINDOW = 2000;
    static final int EVERY = 200;
    /** Labels before a line is drawn at all. */
    static final int MIN_LABELS = 500;
    /** A class is rare under this share of the window's labels. */
    static final double RARE = 0.2;
    /**
     * The kappa a line must reach over the window to decide. Among 2,000 cuts of a window, the
     * best one finds some kappa in noise: a committee at chance (ROC-AUC 0.40, the insurance
     * stream with labels 1,000 events late) drew lines of kappa 0.001-0.06, some at a probability
     * of 10^−8, and answered the rare class on half the events (accuracy 48 % where answering the
     * common class gives 93 %). Under this kappa the line stands aside. Committees with skill
     * draw lines of 0.3-0.45 on the credit stream.
     */
    static final double SKILL = 0.1;

    private final double[] scores = new double[WINDOW];
    private final boolean[] ones = new boolean[WINDOW];
    private int filled;
    private int next;
    private int ofClassOne;
    private int sinceLine;
    /** The class-1 probability from which class 1 is the answer; NaN while standing aside. */
    private double line = Double.NaN;

    /** The class whose probability the line is drawn on (for kappa either class would do). */
    @Override
    public int positive() {
        return 1;
    }

    @Override
    public ClassProbabilities decide(ClassProbabilities p) {
        return decides() ? DecisionRule.labelled(p, p.probability(1) >= line ? 1 : 0) : p;
    }

    /** Whether a class is rare, so that the line, not the most probable class, decides now. */
    @Override
    public boolean decides() {
        return !Double.isNaN(line);
    }

    /** The line now, or NaN while the most probable class decides. */
    public double line() {
        return line;
    }

    @Override
    public void learn(double scoreOfPositive, boolean positive) {
        if (filled == WINDOW) {
            ofClassOne -= ones[next] ? 1 : 0;
        } else {
            filled++;
        }
        scores[next] = scoreOfPositive;
        ones[next] = positive;
        ofClassOne += positive ? 1 : 0;
        next = (next + 1) % WINDOW;
        if (++sinceLine >= EVERY && filled >= MIN_LABELS) {
            sinceLine = 0;
            double rarest = Math.min(ofClassOne, filled - ofClassOne) / (double) filled;
            line = rarest < RARE ? bestKappaLine() : Double.NaN;
        }
    }

    /**
     * The line with the best kappa over the window: every cut between two distinct scores, from
     * the highest down, with class 1 at and above it; NaN (stand aside) if its kappa is under {@link #SKILL}.
     */
    private double bestKappaLine() {
        Integer[] order = new Integer[filled];
        for (int i = 0; i < filled; i++) {
            order[i] = i;
        }
        Arrays.sort(order, (a, b) -> Double.compare(scores[b], scores[a]));
        long truePositives = 0;
        long falsePositives = 0;
        double best = kappa(0, 0);
        double bestLine = Double.POSITIVE_INFINITY;
        for (int r = 0; r < filled; r++) {
            int i = order[r];
            truePositives += ones[i] ? 1 : 0;
            falsePositives += ones[i] ? 0 : 1;
            if (r + 1 < filled && scores[order[r + 1]] == scores[i]) {
                continue; // a line cannot split tied scores
            }
            double k = kappa(truePositives, falsePositives);
            if (k > best) {
                best = k;
                bestLine = scores[i];
            }
        }
        return best >= SKILL ? bestLine : Double.NaN;
    }

    /** Cohen's kappa over the window with these events answered class 1. */
    private double kappa(long truePositives, long falsePositives) {
        double n = filled;
        long falseNegatives = ofClassOne - truePositives;
        long trueNegatives = filled - ofClassOne - falsePositives;
        double observed = (truePositives + trueNegatives) / n;
        double answeredOne = (truePositives + falsePositives) / n;
        double one = ofClassOne / n;
        double expected = answeredOne * one + (1 - answeredOne) * (1 - one);
        return expected >= 1 ? 0 : (observed - expected) / (1 - expected);
    }
}
