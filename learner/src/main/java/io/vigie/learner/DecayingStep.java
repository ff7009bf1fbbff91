package io.vigie.learner;

/**
 * Adaptive conformal inference with a decaying step: after the t-th label α moves by
 * t^−0.6 (α_target − err), at most {@link LevelRule#stableStep} for the label's delay.
 * Angelopoulos, Barber &amp; Bates (2024) show that steps decaying slower than 1/t keep the
 * long-run coverage while the level settles, so the sets stop widening and narrowing around
 * a stationary stream; the price is a level that follows a drift ever more slowly.
 */
final class DecayingStep implements LevelRule {
    private static final long serialVersionUID = 1L;
    /** Faster than 1/√t, as their analysis asks (ε = 0.1). */
    private static final double DECAY = 0.6;

    private final double targetAlpha;
    private double alpha;
    private long labels;

    DecayingStep(double targetAlpha) {
        this.targetAlpha = targetAlpha;
        this.alpha = targetAlpha;
    }

    @Override
    public double alpha() {
        return alpha;
    }

    @Override
    public void update(boolean covered, double beta, long delay) {
        labels++;
        alpha += DampedStep.step(Math.pow(labels, -DECAY), delay) * (targetAlpha - (covered ? 0 : 1));
    }
}
