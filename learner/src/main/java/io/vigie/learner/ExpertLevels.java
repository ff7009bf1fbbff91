package io.vigie.learner;

/**
 * Dynamically tuned adaptive conformal inference (DtACI, Gibbs &amp; Candès 2024): eight ACI
 * experts with steps γ_max / 2^i, i = 0..7, each moving its own level after every label; the
 * level used is their mean weighted by exponentially decayed pinball losses, so the experts whose
 * levels would have fit the recent labels best lead. The losses use β, the largest level at which
 * the set would have held the truth: ℓ(β, α) = α_target(β − α) − min(0, β − α).
 *
 * <p>Under a label delay d an expert with γ·d above 1/e swings (see {@link LevelRule#stableStep}),
 * so the grid is shifted down until its largest step is the stable one: the paper's grid,
 * 0.128 down to 0.001, with labels at once; 3.7·10^−4 down to 2.9·10^−6 at a 1,000-label delay.
 * The shift follows the delay of each label as it comes. The learning rate η = 2.72 and the
 * mixing σ = 1/1000 are the paper's.
 *
 * <p>The experts judge counterfactual sets, with β read when the label comes; their mix carries
 * no promise of coverage of its own, and under delay it fell short (88.2 % for a 0.9 target on a
 * stream whose scores jump, labels 300 events late). So the level used is the mix plus a
 * correction that ACI's damped step moves on the sets actually given: the sum cannot drift far
 * (past α = 1 every set misses, below 0 none does), so the correction keeps ACI's long-run coverage.
 */
final class ExpertLevels implements LevelRule {
    private static final long serialVersionUID = 1L;
    private static final int EXPERTS = 8;
    private static final double LARGEST_STEP = 0.128;
    private static final double ETA = 2.72;
    private static final double SIGMA = 0.001;

    private final double targetAlpha;
    private final double[] levels = new double[EXPERTS];
    private final double[] weights = new double[EXPERTS];
    /** ACI's damped step on the sets actually given, from 0: what the mix's level needs to cover. */
    private final DampedStep correction;
    private double alpha;

    ExpertLevels(double targetAlpha, double gamma) {
        this.targetAlpha = targetAlpha;
        this.correction = new DampedStep(targetAlpha, gamma, 0);
        java.util.Arrays.fill(levels, targetAlpha);
        java.util.Arrays.fill(weights, 1.0 / EXPERTS);
        this.alpha = targetAlpha;
    }

    @Override
    public double alpha() {
        return alpha;
    }

    @Override
    public boolean readsBeta() {
        return true;
    }

    @Override
    public void update(boolean covered, double beta, long delay) {
        double largest = Math.min(LARGEST_STEP, LevelRule.stableStep(delay));
        double total = 0;
        for (int i = 0; i < EXPERTS; i++) {
            double gap = beta - levels[i];
            double loss = targetAlpha * gap - Math.min(0, gap);
            weights[i] *= Math.exp(-ETA * loss);
            total += weights[i];
            boolean expertMissed = levels[i] >= beta;
            levels[i] += largest / (1 << i) * (targetAlpha - (expertMissed ? 1 : 0));
        }
        double mean = 0;
        for (int i = 0; i < EXPERTS; i++) {
            // normalised, then mixed with the uniform weights so an expert that lost long ago can lead again
            weights[i] = (1 - SIGMA) * weights[i] / total + SIGMA / EXPERTS;
            mean += weights[i] * levels[i];
        }
        correction.update(covered, Double.NaN, delay);
        alpha = mean + correction.alpha();
    }
}
