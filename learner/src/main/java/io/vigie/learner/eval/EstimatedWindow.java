package io.vigie.learner.eval;

import io.vigie.learner.ClassProbabilities;
import io.vigie.learner.ExpectedPerformance;
import io.vigie.learner.ScoreCalibration;

import java.io.Serializable;
import java.util.Arrays;

/**
 * What a window of answers should score once its labels come, estimated from each answer's
 * chance of being right ({@link ExpectedPerformance}) before any of them does: accuracy, and
 * on binary models precision and recall of the positive class at the line the model answered
 * by, and the expected PR-AUC (average precision of the expected precision–recall curve).
 *
 * <p>The estimate comes with its band: how far the realised accuracy may fall below it while
 * scores still mean what they meant. Each answer is right or not like a coin of its chance
 * (variance Σ c(1−c) / n²) and the chances were read off the latest
 * {@value ScoreCalibration#WINDOW} labels (variance ā(1−ā) / {@value ScoreCalibration#WINDOW});
 * but a model whose scores shift as it learns errs by more than that, and the estimator's own
 * track record ({@link EstimateRecord}, the mean squared error of its latest windows) says by
 * how much. The band is {@value #Z} standard errors of the larger of the two. Realised accuracy
 * below it, by at least {@value #MIN_GAP} (a stream learned perfectly has chances of 1 and no
 * band: its first error would be a gap), is a gap: the link between score and truth moved, a
 * change of concept. Above it is not: a model that learns fast beats the estimate drawn from
 * its own recent past (on RBF, by 10 points in its fifth window of a thousand), which says it
 * learned, not that the world changed.
 */
public final class EstimatedWindow implements Serializable {
    private static final long serialVersionUID = 1L;
    /** Standard errors in the band: about one window in seven hundred falls below it by chance alone. */
    static final double Z = 3;
    /** The least shortfall called a gap, whatever the band. */
    static final double MIN_GAP = 0.02;

    private final int positive;
    private long count;
    private double chances;
    private double variance;
    // binary models: the answers that named the positive class, and the chance of the positive class of each answer
    private long alerts;
    private double alertsTrue;
    private double othersTrue;
    private double[] scores = new double[0];
    private double[] positiveChances = new double[0];

    /** @param positive for binary models, the class an alert names; -1 otherwise */
    public EstimatedWindow(int positive) {
        this.positive = positive;
    }

    /** Takes in an answer and its chance of being right; one without a chance (NaN) is left out. */
    public void add(ClassProbabilities answer, double chanceRight) {
        if (Double.isNaN(chanceRight)) {
            return;
        }
        chances += chanceRight;
        variance += chanceRight * (1 - chanceRight);
        if (positive >= 0) {
            boolean alert = answer.label() == positive;
            double positiveChance = alert ? chanceRight : 1 - chanceRight;
            alerts += alert ? 1 : 0;
            alertsTrue += alert ? positiveChance : 0;
            othersTrue += alert ? 0 : positiveChance;
            if (count == scores.length) {
                scores = Arrays.copyOf(scores, Math.max(64, scores.length * 2));
                positiveChances = Arrays.copyOf(positiveChances, scores.length);
            }
            scores[(int) count] = answer.probability(positive);
            positiveChances[(int) count] = positiveChance;
        }
        count++;
    }

    /** Answers with a chance taken in. */
    public long count() {
        return count;
    }

    /** The expected accuracy, NaN when no answer had a chance. */
    public double accuracy() {
        return count == 0 ? Double.NaN : chances / count;
    }

    /** How far realised accuracy may stray below {@link #accuracy()} while scores mean what they meant, given the estimator's record. */
    public double band(EstimateRecord record) {
        if (count == 0) {
            return Double.NaN;
        }
        double a = accuracy();
        double chance = variance / ((double) count * count) + a * (1 - a) / ScoreCalibration.WINDOW;
        return Z * Math.sqrt(Math.max(chance, record.meanSquaredError()));
    }

    /**
     * Whether a realised accuracy over the same answers fell below the band; the record takes in
     * this window unless it did. No gap is called before the record holds
     * {@value EstimateRecord#TRUSTED} windows: an estimator is off its track only once it has one.
     */
    public boolean gap(double realisedAccuracy, EstimateRecord record) {
        if (count == 0) {
            return false;
        }
        boolean gap = record.windows() >= EstimateRecord.TRUSTED
                && accuracy() - realisedAccuracy > Math.max(band(record), MIN_GAP);
        if (!gap) {
            record.add(accuracy(), realisedAccuracy);
        }
        return gap;
    }

    /** Binary models: of the alerts, the share expected true (NaN without alerts, or for other models). */
    public double precision() {
        return positive < 0 || alerts == 0 ? Double.NaN : alertsTrue / alerts;
    }

    /** Binary models: of the positives expected, the share alerted (NaN when none is expected, or for other models). */
    public double recall() {
        double expected = alertsTrue + othersTrue;
        return positive < 0 || expected == 0 ? Double.NaN : alertsTrue / expected;
    }

    /**
     * Binary models: the average precision of the curve of expected counts, walking the scores
     * from the highest as {@link BinaryRanking#prAuc()} walks realised ones (NaN for other models).
     */
    public double prAuc() {
        double expectedPositives = alertsTrue + othersTrue;
        if (positive < 0 || expectedPositives == 0) {
            return Double.NaN;
        }
        int n = (int) count;
        // scores as floats in the high half, the answer's index in the low: a primitive sort, highest score last
        long[] order = new long[n];
        for (int i = 0; i < n; i++) {
            order[i] = (long) Float.floatToIntBits((float) Math.max(0.0, scores[i])) << 32 | i;
        }
        Arrays.sort(order);
        double truePositives = 0;
        double area = 0;
        int r = n - 1;
        int passed = 0;
        while (r >= 0) {
            long score = order[r] >>> 32;
            double gained = 0;
            for (; r >= 0 && order[r] >>> 32 == score; r--) { // tied scores pass the line together
                gained += positiveChances[(int) order[r]];
                passed++;
            }
            truePositives += gained;
            area += gained / expectedPositives * (truePositives / passed);
        }
        return area;
    }
}
