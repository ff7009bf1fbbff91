package io.vigie.learner;

/**
 * When a model may refuse to answer, and how its prediction sets are calibrated.
 *
 * <p>Two rules decide abstention, and a prediction says which fired:
 * <ol>
 *   <li><b>conformal</b>: the prediction set at {@code targetCoverage} is not a single class
 *       (several classes are plausible, or none is);</li>
 *   <li><b>cost</b>: answering is expected to cost more than abstaining,
 *       {@code costError × P(wrong) > costAbstain}, with P(wrong) = 1 − p(predicted class).</li>
 * </ol>
 *
 * <p>Defaults: coverage 0.9, γ = 0.005 (Gibbs &amp; Candès' choice), a calibration window of
 * 2,000 labelled events, and costs 1 and 0.5 — a model answers unless a wrong answer is more
 * likely than a right one, which only happens with three or more classes.
 *
 * @param targetCoverage    the long-run share of prediction sets that should hold the true class, in (0, 1)
 * @param gamma             the step of adaptive conformal inference, α ← α + γ(α_target − err); 0 disables
 *                          adaptation; a label d labels late moves α by at most 1/(e·(d+1)) (see
 *                          {@code AdaptiveThreshold.step})
 * @param calibrationWindow how many of the latest labelled events calibrate the sets
 * @param costError         the cost of a wrong answer
 * @param costAbstain       the cost of not answering
 * @param perClass          calibrate one threshold per class (Mondrian), so each class is covered at
 *                          the target; for imbalanced streams such as fraud. Default: one threshold
 */
public record AbstentionSettings(double targetCoverage, double gamma, int calibrationWindow, double costError,
                                 double costAbstain, boolean perClass) implements java.io.Serializable {
    public static final AbstentionSettings DEFAULTS = new AbstentionSettings(0.9, 0.005, 2000, 1.0, 0.5);

    /** Settings with one, marginal threshold. */
    public AbstentionSettings(double targetCoverage, double gamma, int calibrationWindow, double costError, double costAbstain) {
        this(targetCoverage, gamma, calibrationWindow, costError, costAbstain, false);
    }

    public AbstentionSettings {
        require(targetCoverage > 0 && targetCoverage < 1, "target_coverage must be between 0 and 1 (exclusive), got " + targetCoverage);
        require(gamma >= 0 && gamma < 1, "gamma must be in [0, 1), got " + gamma);
        require(calibrationWindow >= 10, "the calibration window must hold at least 10 events, got " + calibrationWindow);
        require(costError >= 0 && Double.isFinite(costError), "cost_error must be a finite number >= 0, got " + costError);
        require(costAbstain >= 0 && Double.isFinite(costAbstain), "cost_abstain must be a finite number >= 0, got " + costAbstain);
    }

    /** The same settings with another target coverage. */
    public AbstentionSettings withTargetCoverage(double coverage) {
        return new AbstentionSettings(coverage, gamma, calibrationWindow, costError, costAbstain, perClass);
    }

    /** The same settings, calibrated per class or not. */
    public AbstentionSettings withPerClass(boolean perClassCalibration) {
        return new AbstentionSettings(targetCoverage, gamma, calibrationWindow, costError, costAbstain, perClassCalibration);
    }

    private static void require(boolean condition, String message) {
        if (!condition) {
            throw new LearnerException(message);
        }
    }
}
