package io.vigie.learner;

import java.io.Serializable;

/**
 * What a model's answers are worth before their labels come: the chance that an answer is
 * right, read from how answers of the same score have fared lately ({@link ScoreCalibration},
 * fed only with labels that have come, so it respects their delay). Averaged over a window of
 * predictions it estimates the window's accuracy long before its labels arrive; binary models
 * calibrate the positive class's probability, from which precision, recall and PR-AUC follow too
 * ({@link io.vigie.learner.eval.EstimatedWindow}).
 *
 * <p>The estimate holds while the link between score and truth holds. A change of concept that
 * leaves the inputs alone breaks exactly that link, and shows as realised accuracy below the
 * estimate that was made for the same events: a drift that no input monitor can see.
 */
public final class ExpectedPerformance implements Serializable {
    private static final long serialVersionUID = 1L;
    private final ScoreCalibration calibration = new ScoreCalibration();
    /** The class whose probability is calibrated (binary models), or -1: the answer's own probability is. */
    private final int positive;

    /** @param positive for binary models the class whose probability is calibrated, else -1 */
    public ExpectedPerformance(int positive) {
        this.positive = positive;
    }

    /** The chance this answer (its label as decided) is right; NaN until enough labels have calibrated it. */
    public double chanceRight(ClassProbabilities answer) {
        if (positive < 0) {
            return calibration.probability(answer.probability(answer.label()));
        }
        double positiveChance = calibration.probability(answer.probability(positive));
        return answer.label() == positive ? positiveChance : 1 - positiveChance;
    }

    /** Takes in how an answer given earlier fared. */
    public void learn(ClassProbabilities answer, int truth) {
        if (positive < 0) {
            calibration.add(answer.probability(answer.label()), answer.label() == truth);
        } else {
            calibration.add(answer.probability(positive), truth == positive);
        }
    }

    /** The class alerts name on a binary model, whose chance {@link #chanceRight} derives from; -1 otherwise. */
    public int positive() {
        return positive;
    }
}
