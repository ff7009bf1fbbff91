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

    /**
     * Takes in a labelled event's score, whether the set it was given held its class, and how many
     * labels came between that set and this label.
     */
    void update(double score, boolean covered, long feedbackDelay) {
        alpha += step(gamma, feedbackDelay) * (targetAlpha - (covered ? 0 : 1));
        int at = Arrays.binarySearch(sorted, 0, size, score);
        int insert = at >= 0 ? at : -at - 1;
        if (size < ring.length) {
            System.arraycopy(sorted, insert, sorted, insert + 1, size - insert);
            sorted[insert] = score;
            size++;
        } else {
            replace(Arrays.binarySearch(sorted, 0, size, ring[next]), insert, score);
        }
        ring[next] = score;
        next = (next + 1) % ring.length;
    }

    /**
     * Puts {@code score} in place of the sorted entry at {@code old}, where {@code insert} is the
     * score's insertion point in the full array: shifting only the entries between the two by one
     * (a third of the window on average, not a whole window as a removal then an insertion would).
     */
    private void replace(int old, int insert, double score) {
        if (insert > old) {
            System.arraycopy(sorted, old + 1, sorted, old, insert - 1 - old);
            sorted[insert - 1] = score;
        } else {
            System.arraycopy(sorted, insert, sorted, insert + 1, old - insert);
            sorted[insert] = score;
        }
    }

    /**
     * The step of α for feedback {@code delay} labels late: γ, at most 1 / (e (delay + 1)). ACI
     * is an integrator; when its feedback comes d updates late it keeps pushing α for d more
     * steps before it sees the effect, and with γ·d above about 1 it overshoots and swings: at
     * γ = 0.005 and a 1,000-event delay, window coverage alternated between 100 % (every class
     * in the set, abstain on all) and under 50 %, while the long-run mean still met the target.
     * A delayed integrator settles without oscillating when its gain times the delay stays
     * below 1/e, hence the cap; with labels at once (d = 0) the step is γ itself.
     */
    static double step(double gamma, long delay) {
        return Math.min(gamma, 1 / (Math.E * (delay + 1)));
    }

    double alpha() {
        return alpha;
    }

    int size() {
        return size;
    }
}
