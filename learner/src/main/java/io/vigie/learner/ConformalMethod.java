package io.vigie.learner;

import java.util.Arrays;

/**
 * How a conformal threshold's miscoverage level α follows the labels (each rule is a
 * {@link LevelRule}); measured against each other in docs/results.md ("Tighter sets under delay").
 */
public enum ConformalMethod {
    /** Adaptive conformal inference (Gibbs &amp; Candès 2021) with a fixed step γ, damped to the label delay. */
    ACI("aci"),
    /** The same update with a step that decays as t^−0.6 over the labels (Angelopoulos, Barber &amp; Bates 2024). */
    DECAYING("decaying"),
    /**
     * Dynamically tuned ACI (Gibbs &amp; Candès 2024): eight ACI experts whose steps span a factor
     * of 128, weighted by their pinball losses, so that the step follows the stream and the delay.
     */
    DTACI("dtaci");

    private final String wireName;

    ConformalMethod(String wireName) {
        this.wireName = wireName;
    }

    /** The method's name in a model's definition and on the command line. */
    public String wireName() {
        return wireName;
    }

    /** The method named {@code name}, or a {@link LearnerException} listing the names. */
    public static ConformalMethod named(String name) {
        return Arrays.stream(values()).filter(m -> m.wireName.equals(name)).findFirst()
                .orElseThrow(() -> new LearnerException("unknown conformal method '" + name + "'; one of "
                        + Arrays.stream(values()).map(ConformalMethod::wireName).toList()));
    }
}
