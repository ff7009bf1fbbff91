package io.vigie.learner;

import java.io.Serializable;
import java.util.Arrays;

/**
 * One conformal threshold: the latest nonconformity scores of a window, and a miscoverage level
 * α that adaptive conformal inference moves after each label, α ← α + γ(α_target − err).
 */
final class AdaptiveThreshold implements Serializable {
    private static final long serialVersionUID = 1L;

    private final double targetAlpha;
    private final double gamma;
    /** Scores in arrival order (a ring) and the same scores sorted, for quantiles. */
    private final double[] ring;
    private final double[] sorted;
    private int size;
    private int next;
    private double alpha;

    AdaptiveThreshold(double targetAlpha, double gamma, int window) {
        this.targetAlpha = targetAlpha;
        this.gamma = gamma;
        this.ring = new double[window];
        this.sorted = new double[window];
        this.alpha = targetAlpha;
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

    /** Takes in a labelled event's score and whether the set it was given held its class. */
    void update(double score, boolean covered) {
        alpha += gamma * (targetAlpha - (covered ? 0 : 1));
        if (size == ring.length) {
            remove(ring[next]);
        }
        ring[next] = score;
        next = (next + 1) % ring.length;
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

    double alpha() {
        return alpha;
    }

    int size() {
        return size;
    }
}
