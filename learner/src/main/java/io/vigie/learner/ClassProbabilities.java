package io.vigie.learner;

import java.util.Arrays;

/**
 * A class distribution made from MOA's raw votes, and the predicted class.
 *
 * <p>MOA's {@code getVotesForInstance} is unnormalised, may be shorter than the class count or
 * empty, and ensembles sometimes return NaN or infinities. The rule, applied in {@link #fromVotes}
 * and nowhere else: pad to the class count; NaN, negative values and −Infinity count as 0;
 * +Infinity entries share the whole mass; normalise. The label is the first maximum of the
 * cleaned votes, so evaluation matches MOA's own tasks prediction for prediction. An all-zero
 * vote is "no opinion": uniform probabilities and class 0, as MOA predicts.
 *
 * @param probabilities one probability per class, summing to 1
 * @param label         the index of the predicted class
 * @param noOpinion     the learner gave no usable vote (probabilities are uniform)
 * @param irregular     the raw votes held NaN, an infinity or a negative value
 */
public record ClassProbabilities(double[] probabilities, int label, boolean noOpinion, boolean irregular) {

    /** Applies the vote rule above to MOA's raw votes for a problem with {@code numClasses} classes. */
    public static ClassProbabilities fromVotes(double[] votes, int numClasses) {
        double[] p = new double[numClasses];
        int n = Math.min(votes.length, numClasses);
        boolean irregular = votes.length > numClasses;
        int infinite = 0;
        for (int i = 0; i < n; i++) {
            double v = votes[i];
            if (v == Double.POSITIVE_INFINITY) {
                infinite++;
            } else if (v >= 0) {
                p[i] = v;
            } else {
                irregular = true; // NaN, negative, or -Infinity
            }
        }
        if (infinite > 0) {
            for (int i = 0; i < n; i++) {
                p[i] = votes[i] == Double.POSITIVE_INFINITY ? 1.0 / infinite : 0.0;
            }
            return new ClassProbabilities(p, firstMax(p), false, true);
        }
        int label = firstMax(p); // before scaling: division could merge two votes one ulp apart
        double max = p[label];
        if (max == 0) {
            Arrays.fill(p, 1.0 / numClasses);
            return new ClassProbabilities(p, 0, true, irregular);
        }
        double sum = 0;
        for (int i = 0; i < numClasses; i++) {
            p[i] /= max; // scale first so that huge votes cannot overflow the sum
            sum += p[i];
        }
        for (int i = 0; i < numClasses; i++) {
            p[i] /= sum;
        }
        return new ClassProbabilities(p, label, false, irregular);
    }

    private static int firstMax(double[] values) {
        int best = 0;
        for (int i = 1; i < values.length; i++) {
            if (values[i] > values[best]) {
                best = i;
            }
        }
        return best;
    }

    /** The probability of one class. */
    public double probability(int classIndex) {
        return probabilities[classIndex];
    }

    @Override
    public boolean equals(Object o) {
        return o instanceof ClassProbabilities other && label == other.label && noOpinion == other.noOpinion
                && irregular == other.irregular && Arrays.equals(probabilities, other.probabilities);
    }

    @Override
    public int hashCode() {
        return 31 * Arrays.hashCode(probabilities) + label;
    }

    @Override
    public String toString() {
        return "ClassProbabilities" + Arrays.toString(probabilities) + " label=" + label
                + (noOpinion ? " no-opinion" : "") + (irregular ? " irregular" : "");
    }
}
