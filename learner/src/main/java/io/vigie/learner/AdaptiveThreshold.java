package io.vigie.learner;

import java.io.IOException;
import java.io.ObjectInputStream;
import java.io.Serializable;

/**
 * One conformal threshold: the latest nonconformity scores of a window, and a miscoverage level
 * α that a {@link LevelRule} moves after each label (adaptive conformal inference and its kin).
 */
final class AdaptiveThreshold implements Serializable {
    private static final long serialVersionUID = 1L;

    private final double targetAlpha;
    /** The step of the damped rule, also for snapshots from before the rules (see {@link #readObject}). */
    private final double gamma;
    /** Scores in arrival order (a ring) and the same scores sorted, for quantiles. */
    private final double[] ring;
    private final double[] sorted;
    private int size;
    private int next;
    /** The rule's level, read at every prediction. */
    private double alpha;
    /** Null in snapshots from before the rules: {@link #readObject} makes it the damped step they used. */
    private LevelRule rule;

    AdaptiveThreshold(double targetAlpha, double gamma, int window, ConformalMethod method) {
        this.targetAlpha = targetAlpha;
        this.gamma = gamma;
        this.ring = new double[window];
        this.sorted = new double[window];
        this.rule = LevelRule.of(method, targetAlpha, gamma);
        this.alpha = rule.alpha();
    }

    AdaptiveThreshold(double targetAlpha, double gamma, int window) {
        this(targetAlpha, gamma, window, ConformalMethod.ACI);
    }

    /**
     * The score threshold at the current α: the ⌈(n+1)(1−α)⌉-th smallest score, +∞ (admit
     * everything) when the scores cannot certify it, −∞ (admit nothing) when α reaches 1.
     */
    double threshold() {
        if (alpha <= 0) {
            return Double.POSITIVE_INFINITY;
        }
        if (alpha >= 1) {
            return Double.NEGATIVE_INFINITY;
        }
        int rank = (int) Math.ceil((size + 1) * (1 - alpha)); // 1-based rank among the scores
        return rank > size ? Double.POSITIVE_INFINITY : sorted[rank - 1];
    }

    /**
     * Takes in a labelled event's score, whether the set it was given held its class, and how many
     * labels came between that set and this label.
     */
    void update(double score, boolean covered, long feedbackDelay) {
        rule.update(covered, rule.readsBeta() ? beta(score) : Double.NaN, feedbackDelay);
        alpha = rule.alpha();
        if (size < ring.length) {
            int insert = indexPast(score, true);
            System.arraycopy(sorted, insert, sorted, insert + 1, size - insert);
            sorted[insert] = score;
            size++;
        } else {
            replace(ring[next], score);
        }
        ring[next] = score;
        next = (next + 1) % ring.length;
    }

    /**
     * Puts {@code score} in place of one copy of {@code evicted} in the sorted scores, shifting by
     * one only the scores strictly between the two: of the evicted value's copies the one nearest
     * the new score goes, and the new score goes nearest it among its equals. Scores repeat a lot
     * (a one-hot model's are all 0 or 1), and taking the first copy of each, as a search for
     * "a copy" may, shifted a run of ties every time.
     */
    private void replace(double evicted, double score) {
        if (score > evicted) {
            int old = indexPast(evicted, true) - 1; // the last copy
            int insert = indexPast(score, false); // before the first copy of the score, if held
            System.arraycopy(sorted, old + 1, sorted, old, insert - 1 - old);
            sorted[insert - 1] = score;
        } else if (score < evicted) {
            int old = indexPast(evicted, false); // the first copy
            int insert = indexPast(score, true); // after the last copy of the score, if held
            System.arraycopy(sorted, insert, sorted, insert + 1, old - insert);
            sorted[insert] = score;
        }
    }

    /**
     * The first index of the sorted scores past those below {@code score} (so where it is, or
     * would be, first), or past those at or below it too ({@code andEqual}: those below the next
     * double up).
     */
    private int indexPast(double score, boolean andEqual) {
        return firstAtLeast(andEqual ? Math.nextUp(score) : score);
    }

    /**
     * The first index of the sorted scores holding {@code score} or more. A search without
     * branches to mispredict: halving a range whose start moves by a conditional add (with
     * {@link java.util.Arrays#binarySearch} the two searches of a label took 130 of its 190 ns).
     * Scores are finite (1 − a probability), so {@code <} orders them as a sort does.
     */
    private int firstAtLeast(double score) {
        if (size == 0) {
            return 0;
        }
        int base = 0;
        for (int length = size; length > 1; ) {
            int half = length >>> 1;
            base = sorted[base + half - 1] < score ? base + half : base;
            length -= half;
        }
        return sorted[base] < score ? base + 1 : base;
    }

    /**
     * The largest level at which the threshold, as it is, would hold {@code score}: the set at
     * level α holds it when fewer than (n+1)(1−α) scores lie below it, so for α below
     * 1 − (scores below)/(n+1).
     */
    private double beta(double score) {
        return 1 - (double) firstAtLeast(score) / (size + 1);
    }

    private void readObject(ObjectInputStream in) throws IOException, ClassNotFoundException {
        in.defaultReadObject();
        if (rule == null) {
            rule = new DampedStep(targetAlpha, gamma, alpha);
        }
    }

    double alpha() {
        return alpha;
    }

    int size() {
        return size;
    }
}
