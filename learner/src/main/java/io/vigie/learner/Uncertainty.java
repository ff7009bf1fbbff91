package io.vigie.learner;

import java.util.List;

/**
 * How unsure a prediction is, from its class distribution (and its members', for ensembles).
 *
 * @param entropy      Shannon entropy of the distribution divided by log(number of classes):
 *                     0 when one class has all the mass, 1 when the distribution is uniform
 * @param margin       the top probability minus the runner-up: 1 is certain, 0 is a tie
 * @param disagreement for ensembles, the normalised entropy of the members' votes (the share
 *                     of members predicting each class): 0 when all agree; NaN for a single
 *                     learner
 */
public record Uncertainty(double entropy, double margin, double disagreement) {

    /** The uncertainty of a single learner's distribution. */
    public static Uncertainty of(ClassProbabilities p) {
        return of(p, List.of());
    }

    /** The uncertainty of a distribution combined from members' distributions. */
    public static Uncertainty of(ClassProbabilities p, List<ClassProbabilities> members) {
        double[] probabilities = p.probabilities();
        return new Uncertainty(normalisedEntropy(probabilities), margin(probabilities),
                members.isEmpty() ? Double.NaN : voteEntropy(members, probabilities.length));
    }

    private static double normalisedEntropy(double[] p) {
        double h = 0;
        for (double v : p) {
            if (v > 0) {
                h -= v * Math.log(v);
            }
        }
        return p.length > 1 ? Math.max(0, h / Math.log(p.length)) : 0;
    }

    private static double margin(double[] p) {
        double first = 0;
        double second = 0;
        for (double v : p) {
            if (v > first) {
                second = first;
                first = v;
            } else if (v > second) {
                second = v;
            }
        }
        return first - second;
    }

    private static double voteEntropy(List<ClassProbabilities> members, int numClasses) {
        double[] votes = new double[numClasses];
        for (ClassProbabilities member : members) {
            votes[member.label()] += 1.0 / members.size();
        }
        return normalisedEntropy(votes);
    }
}
