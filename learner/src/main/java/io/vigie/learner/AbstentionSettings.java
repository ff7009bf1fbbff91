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
 *                          {@code LevelRule.stableStep})
 * @param calibrationWindow how many of the latest labelled events calibrate the sets
 * @param costError         the cost of a wrong answer
 * @param costAbstain       the cost of not answering
 * @param perClass          calibrate one threshold per class (Mondrian), so each class is covered at
 *                          the target; for imbalanced streams such as fraud. Default: one threshold
 * @param classCoverage     with {@code perClass}, a target per class (by class index) instead of one
 *                          for all: a fraud team may want frauds covered at 0.8 and genuine
 *                          transactions at 0.95; then {@code targetCoverage} is the lowest of them.
 *                          Null: every class at {@code targetCoverage} (snapshots from before this
 *                          component read so)
 * @param method            how the sets' level follows the labels (default {@link ConformalMethod#ACI}, which
 *                          snapshots from before this component read as)
 */
public record AbstentionSettings(double targetCoverage, double gamma, int calibrationWindow, double costError,
                                 double costAbstain, boolean perClass, double[] classCoverage, ConformalMethod method)
        implements java.io.Serializable {
    public static final AbstentionSettings DEFAULTS = new AbstentionSettings(0.9, 0.005, 2000, 1.0, 0.5);

    /** Settings with one, marginal threshold. */
    public AbstentionSettings(double targetCoverage, double gamma, int calibrationWindow, double costError, double costAbstain) {
        this(targetCoverage, gamma, calibrationWindow, costError, costAbstain, false);
    }

    /** Settings with one target for every class. */
    public AbstentionSettings(double targetCoverage, double gamma, int calibrationWindow, double costError, double costAbstain,
                              boolean perClass) {
        this(targetCoverage, gamma, calibrationWindow, costError, costAbstain, perClass, null);
    }

    /** Settings with the default conformal method. */
    public AbstentionSettings(double targetCoverage, double gamma, int calibrationWindow, double costError, double costAbstain,
                              boolean perClass, double[] classCoverage) {
        this(targetCoverage, gamma, calibrationWindow, costError, costAbstain, perClass, classCoverage, null);
    }

    public AbstentionSettings {
        if (method == null) {
            method = ConformalMethod.ACI;
        }
        if (classCoverage != null) {
            classCoverage = classCoverage.clone();
            require(perClass, "a target coverage per class needs per-class calibration");
            require(classCoverage.length >= 2, "a target coverage per class needs one for each of at least 2 classes");
            for (double target : classCoverage) {
                require(target > 0 && target < 1, "each class's target_coverage must be between 0 and 1 (exclusive), got " + target);
            }
            require(targetCoverage == java.util.Arrays.stream(classCoverage).min().orElseThrow(),
                    "with a target per class, target_coverage is the lowest of them");
        }
        require(targetCoverage > 0 && targetCoverage < 1, "target_coverage must be between 0 and 1 (exclusive), got " + targetCoverage);
        require(gamma >= 0 && gamma < 1, "gamma must be in [0, 1), got " + gamma);
        require(calibrationWindow >= 10, "the calibration window must hold at least 10 events, got " + calibrationWindow);
        require(costError >= 0 && Double.isFinite(costError), "cost_error must be a finite number >= 0, got " + costError);
        require(costAbstain >= 0 && Double.isFinite(costAbstain), "cost_abstain must be a finite number >= 0, got " + costAbstain);
    }

    /** Targets per class (by class index), calibrated per class; the scalar target becomes the lowest. */
    public static AbstentionSettings perClassTargets(double[] targets, double gamma, int calibrationWindow, double costError,
                                                     double costAbstain) {
        return new AbstentionSettings(java.util.Arrays.stream(targets).min().orElse(Double.NaN), gamma, calibrationWindow, costError,
                costAbstain, true, targets);
    }

    /** The coverage class {@code classIndex}'s prediction sets aim for. */
    public double coverageOf(int classIndex) {
        return classCoverage == null ? targetCoverage : classCoverage[classIndex];
    }

    /** The targets per class (a copy), or null when every class has {@link #targetCoverage}. */
    @Override
    public double[] classCoverage() {
        return classCoverage == null ? null : classCoverage.clone();
    }

    /** The same settings with another target coverage, for every class. */
    public AbstentionSettings withTargetCoverage(double coverage) {
        return new AbstentionSettings(coverage, gamma, calibrationWindow, costError, costAbstain, perClass, null, method);
    }

    /** The same settings, calibrated per class or not. */
    public AbstentionSettings withPerClass(boolean perClassCalibration) {
        return new AbstentionSettings(targetCoverage, gamma, calibrationWindow, costError, costAbstain, perClassCalibration, null,
                method);
    }

    /** The same settings with another conformal method. */
    public AbstentionSettings withMethod(ConformalMethod conformalMethod) {
        return new AbstentionSettings(targetCoverage, gamma, calibrationWindow, costError, costAbstain, perClass, classCoverage,
                conformalMethod);
    }

    @Override
    public boolean equals(Object other) {
        return other instanceof AbstentionSettings o && targetCoverage == o.targetCoverage && gamma == o.gamma
                && calibrationWindow == o.calibrationWindow && costError == o.costError && costAbstain == o.costAbstain
                && perClass == o.perClass && java.util.Arrays.equals(classCoverage, o.classCoverage) && method == o.method;
    }

    @Override
    public int hashCode() {
        return java.util.Objects.hash(targetCoverage, gamma, calibrationWindow, costError, costAbstain, perClass, method)
                * 31 + java.util.Arrays.hashCode(classCoverage);
    }

    @Override
    public String toString() {
        return "AbstentionSettings[targetCoverage=" + targetCoverage + ", gamma=" + gamma + ", calibrationWindow=" + calibrationWindow
                + ", costError=" + costError + ", costAbstain=" + costAbstain + ", perClass=" + perClass
                + ", classCoverage=" + java.util.Arrays.toString(classCoverage) + ", method=" + method + "]";
    }

    private static void require(boolean condition, String message) {
        if (!condition) {
            throw new LearnerException(message);
        }
    }
}
