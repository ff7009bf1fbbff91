package io.vigie.learner;

import java.io.Serializable;

/**
 * The miscoverage level α of one conformal threshold, and how a label moves it. A label says
 * whether the set given for its event held the true class ({@code covered}), the largest level
 * at which the threshold now would have held it ({@code beta}; NaN for a rule that does not
 * {@linkplain #readsBeta read it}), and how many labels were learned between the event's
 * prediction and its label ({@code delay}).
 */
sealed interface LevelRule extends Serializable permits DampedStep, DecayingStep, ExpertLevels {

    /** The level the threshold uses now. */
    double alpha();

    void update(boolean covered, double beta, long delay);

    /** Whether {@link #update} reads {@code beta}; a search of the window a label can spare when not. */
    default boolean readsBeta() {
        return false;
    }

    /** A rule of {@code method} starting at {@code targetAlpha}, with step {@code gamma} where the method has one. */
    static LevelRule of(ConformalMethod method, double targetAlpha, double gamma) {
        return switch (method) {
            case ACI -> new DampedStep(targetAlpha, gamma, targetAlpha);
            case DECAYING -> new DecayingStep(targetAlpha);
            case DTACI -> new ExpertLevels(targetAlpha, gamma);
        };
    }

    /**
     * The largest step that keeps α from swinging when its feedback comes {@code delay} labels
     * late: 1 / (e (delay + 1)). ACI is an integrator; when its feedback comes d updates late it
     * keeps pushing α for d more steps before it sees the effect, and with γ·d above about 1 it
     * overshoots and swings: at γ = 0.005 and a 1,000-event delay, window coverage alternated
     * between 100 % (every class in the set, abstain on all) and under 50 %, while the long-run
     * mean still met the target. A delayed integrator settles without oscillating when its gain
     * times the delay stays below 1/e.
     */
    static double stableStep(long delay) {
        return 1 / (Math.E * (delay + 1));
    }
}
