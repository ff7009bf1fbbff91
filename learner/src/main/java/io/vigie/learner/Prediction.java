package io.vigie.learner;

import java.util.List;

/**
 * Everything a model says about one event: its class distribution and best guess, how unsure
 * it is, the conformal prediction set, and whether it abstains and why. The best guess is given
 * even when abstaining, so callers choose.
 *
 * @param probabilities the class distribution and the predicted class
 * @param uncertainty   entropy, margin, member disagreement
 * @param predictionSet the class indices in the conformal prediction set, ascending
 * @param abstain       whether the model advises not to act on its answer
 * @param reason        why it abstains, or null
 * @param memberLabels  for ensembles, what they remember of this scoring until the label
 *                      arrives (each member's predicted class, see
 *                      {@link Ensemble#labelsToRemember}); empty for single learners
 * @param learnedBefore how many labels the model had learned when it made this prediction, or
 *                      {@link #UNKNOWN}: when the label comes, the labels learned in between are
 *                      the delay of the calibration's feedback
 * @param chanceRight   the chance that the answer (its label) is right, from how answers of its
 *                      score have fared lately ({@link ExpectedPerformance}); NaN before enough
 *                      labels came, and in answers stored before it was kept
 */
public record Prediction(ClassProbabilities probabilities, Uncertainty uncertainty, List<Integer> predictionSet,
                         boolean abstain, Reason reason, List<Integer> memberLabels, long learnedBefore,
                         double chanceRight) {
    /** {@link #learnedBefore} of a prediction stored before the count was kept. */
    public static final long UNKNOWN = -1;

    /** Why a model abstains. */
    public enum Reason {
        /** Several classes are plausible at the target coverage. */
        AMBIGUOUS_SET("prediction_set_ambiguous"),
        /** No class is plausible at the target coverage. */
        EMPTY_SET("prediction_set_empty"),
        /** A wrong answer is expected to cost more than no answer. */
        EXPECTED_COST("expected_cost");

        private final String code;

        Reason(String code) {
            this.code = code;
        }

        /** The stable, lower-case name used in JSON. */
        public String code() {
            return code;
        }
    }

    public Prediction {
        predictionSet = List.copyOf(predictionSet);
        memberLabels = List.copyOf(memberLabels);
    }

    /** The index of the predicted class (the best guess, also when abstaining). */
    public int label() {
        return probabilities.label();
    }

    /** Whether the prediction set holds a class. */
    public boolean covers(int classIndex) {
        // not contains(): it boxes the index and calls equals through the JDK's shared lists, which
        // an evaluation of three models paid 5 % of its time for
        for (int i = 0; i < predictionSet.size(); i++) {
            if (predictionSet.get(i) == classIndex) {
                return true;
            }
        }
        return false;
    }
}
