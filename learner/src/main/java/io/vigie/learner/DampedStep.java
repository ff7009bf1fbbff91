package io.vigie.learner;

/**
 * Adaptive conformal inference: α ← α + γ(α_target − err) after each label, err = 1 when the
 * set missed the true class, with γ at most {@link LevelRule#stableStep} for the label's delay
 * (with labels at once the step is γ itself).
 */
final class DampedStep implements LevelRule {
    private static final long serialVersionUID = 1L;

    private final double targetAlpha;
    private final double gamma;
    private double alpha;

    DampedStep(double targetAlpha, double gamma, double alpha) {
        this.targetAlpha = targetAlpha;
        this.gamma = gamma;
        this.alpha = alpha;
    }

    @Override
    public double alpha() {
        return alpha;
    }

    @Override
    public void update(boolean covered, double beta, long delay) {
        alpha += step(gamma, delay) * (targetAlpha - (covered ? 0 : 1));
    }

    /** The step of α for feedback {@code delay} labels late: γ, at most the stable step. */
    static double step(double gamma, long delay) {
        return Math.min(gamma, LevelRule.stableStep(delay));
    }
}
