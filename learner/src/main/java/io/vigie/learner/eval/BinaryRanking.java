package io.vigie.learner.eval;

import java.util.Arrays;

/**
 * ROC-AUC and PR-AUC (average precision) of scores for a positive class, over a whole stream.
 * Scores are kept as two primitive arrays (positives, negatives) and ranked once at the end:
 * memory is 8 bytes an event, fine for millions of events.
 *
 * <p>Ties are handled as the usual definitions do: ROC-AUC counts a tied positive/negative pair
 * as half a win (Mann–Whitney); average precision walks distinct thresholds from the highest,
 * AP = Σ (R_k − R_{k−1}) · P_k, as scikit-learn's {@code average_precision_score}.
 */
public final class BinaryRanking implements java.io.Serializable {
    private static final long serialVersionUID = 1L;
    private double[] positives = new double[1024];
    private double[] negatives = new double[1024];
    private int numPositives;
    private int numNegatives;
    /** The scores sorted, kept while no score is added: both areas rank the same scores. */
    private transient double[] sortedPositives;
    private transient double[] sortedNegatives;

    /** Records the score given to the positive class, and whether the event was positive. */
    public void add(double score, boolean positive) {
        if (positive) {
            if (numPositives == positives.length) {
                positives = Arrays.copyOf(positives, positives.length * 2);
            }
            positives[numPositives++] = score;
        } else {
            if (numNegatives == negatives.length) {
                negatives = Arrays.copyOf(negatives, negatives.length * 2);
            }
            negatives[numNegatives++] = score;
        }
    }

    /** ROC-AUC, or NaN while one of the two classes has not been seen. */
    public double rocAuc() {
        if (numPositives == 0 || numNegatives == 0) {
            return Double.NaN;
        }
        double[] pos = sortedPositives();
        double[] neg = sortedNegatives();
        double wins = 0;
        int below = 0; // negatives strictly below the current positive score
        int i = 0;
        while (i < pos.length) {
            double score = pos[i];
            int samePos = 0;
            while (i < pos.length && pos[i] == score) {
                samePos++;
                i++;
            }
            while (below < neg.length && neg[below] < score) {
                below++;
            }
            int tied = 0;
            while (below + tied < neg.length && neg[below + tied] == score) {
                tied++;
            }
            wins += samePos * (below + tied / 2.0);
        }
        return wins / ((double) pos.length * neg.length);
    }

    /** Average precision (the area under the precision–recall step curve), or NaN without positives. */
    public double prAuc() {
        if (numPositives == 0) {
            return Double.NaN;
        }
        double[] pos = sortedPositives();
        double[] neg = sortedNegatives();
        int p = pos.length - 1;
        int n = neg.length - 1;
        long truePositives = 0;
        long falsePositives = 0;
        double ap = 0;
        while (p >= 0) {
            double threshold = n >= 0 ? Math.max(pos[p], neg[n]) : pos[p];
            long newTrue = 0;
            while (p >= 0 && pos[p] == threshold) {
                newTrue++;
                p--;
            }
            while (n >= 0 && neg[n] == threshold) {
                falsePositives++;
                n--;
            }
            truePositives += newTrue;
            if (newTrue > 0) {
                ap += ((double) newTrue / pos.length) * ((double) truePositives / (truePositives + falsePositives));
            }
        }
        return ap;
    }

    private double[] sortedPositives() {
        return sortedPositives = sorted(sortedPositives, positives, numPositives);
    }

    private double[] sortedNegatives() {
        return sortedNegatives = sorted(sortedNegatives, negatives, numNegatives);
    }

    /** The first {@code count} values sorted: {@code last} again if it already holds them (scores are only ever added). */
    private static double[] sorted(double[] last, double[] values, int count) {
        if (last != null && last.length == count) {
            return last;
        }
        double[] copy = Arrays.copyOf(values, count);
        Arrays.sort(copy);
        return copy;
    }
}
