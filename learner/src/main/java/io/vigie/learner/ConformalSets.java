package io.vigie.learner;

import java.io.Serializable;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;

/**
 * Online conformal prediction sets with adaptive conformal inference (Gibbs &amp; Candès 2021).
 *
 * <p>Nonconformity of a labelled event is 1 − p(true class), computed with the probabilities the
 * model gave when it predicted the event (not after learning it), over the latest
 * {@code calibrationWindow} labelled events. The set at level α holds every class c with
 * 1 − p(c) ≤ q, where q is the ⌈(n+1)(1−α)⌉-th smallest score; with too few scores it holds
 * every class. Each time a label arrives, α moves by γ(α_target − err), err = 1 if the set that
 * was given missed the true class: misses shrink α (wider sets), hits grow it, so the long-run
 * miss rate tracks the target under drift. Labels arrive late; the update uses them when they
 * arrive, never before.
 */
final class ConformalSets implements Serializable {
    private static final long serialVersionUID = 1L;

    private final double targetAlpha;
    private final double gamma;
    private final int window;
    /** Scores in arrival order (a ring) and the same scores sorted, for quantiles. */
    private final double[] ring;
    private final double[] sorted;
    private int size;
    private int next;
    private double alpha;

    ConformalSets(AbstentionSettings settings) {
        this.targetAlpha = 1 - settings.targetCoverage();
        this.gamma = settings.gamma();
        this.window = settings.calibrationWindow();
        this.ring = new double[window];
        this.sorted = new double[window];
        this.alpha = targetAlpha;
    }

    /** The prediction set for a class distribution, as ascending class indices. */
    List<Integer> predictionSet(double[] probabilities) {
        double threshold = threshold();
        List<Integer> set = new ArrayList<>(2);
        for (int c = 0; c < probabilities.length; c++) {
            if (1 - probabilities[c] <= threshold) {
                set.add(c);
            }
        }
        return set;
    }

    /** The score threshold at the current α: +∞ (every class) when the scores cannot certify it. */
    private double threshold() {
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
     * Takes in a label: the probabilities and set given when the event was predicted, and its true
     * class.
     */
    void calibrate(double[] probabilitiesAtPrediction, boolean setCoveredTruth, int truth) {
        alpha += gamma * (targetAlpha - (setCoveredTruth ? 0 : 1));
        add(1 - probabilitiesAtPrediction[truth]);
    }

    private void add(double score) {
        if (size == window) {
            remove(ring[next]);
        }
        ring[next] = score;
        next = (next + 1) % window;
        int at = Arrays.binarySearch(sorted, 0, size, score);
        int insert = at >= 0 ? at : -at - 1;
        System.arraycopy(sorted, insert, sorted, insert + 1, size - insert);
        sorted[insert] = score;
        size++;
    }

    private void remove(double score) {
        int at = Arrays.binarySearch(sorted, 0, size, score);
        System.arraycopy(sorted, at + 1, sorted, at, size - at - 1);
        size--;
    }

    /** The current, adapted miscoverage level α. */
    double alpha() {
        return alpha;
    }

    /** How many scores calibrate the sets now. */
    int calibrated() {
        return size;
    }
}
