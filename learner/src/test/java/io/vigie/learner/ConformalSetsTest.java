package io.vigie.learner;

import org.junit.jupiter.api.Test;

import java.util.List;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

class ConformalSetsTest {
    private static final AbstentionSettings NO_ADAPTATION = new AbstentionSettings(0.9, 0.0, 10, 1, 0.5);

    @Test
    void uncalibrated_setHoldsEveryClass() {
        ConformalSets sets = new ConformalSets(AbstentionSettings.DEFAULTS, 3);
        assertEquals(List.of(0, 1, 2), sets.predictionSet(new double[]{0.9, 0.05, 0.05}));
    }

    @Test
    void threshold_isTheConformalQuantileOfTheWindow() {
        ConformalSets sets = new ConformalSets(NO_ADAPTATION, 3);
        // scores 1 - p(true) = 0.05, 0.10, ..., 0.50 (ten of them)
        for (int i = 1; i <= 10; i++) {
            sets.calibrate(new double[]{1 - 0.05 * i, 0.05 * i}, true, 0, 0);
        }
        // n = 10, alpha = 0.1: rank ceil(11 * 0.9) = 10 > ... = 10 -> the 10th smallest, 0.50
        assertEquals(List.of(0), sets.predictionSet(new double[]{0.6, 0.4}), "1 - 0.4 = 0.6 > 0.5 keeps class 1 out");
        assertEquals(List.of(0, 1), sets.predictionSet(new double[]{0.5, 0.5}), "both at 0.5 are in");
        assertEquals(List.of(), sets.predictionSet(new double[]{0.45, 0.45, 0.1}), "no class reaches the threshold");
    }

    @Test
    void window_forgetsTheOldestScores() {
        ConformalSets sets = new ConformalSets(NO_ADAPTATION, 3);
        for (int i = 0; i < 10; i++) {
            sets.calibrate(new double[]{0.1, 0.9}, true, 0, 0); // score 0.9
        }
        assertEquals(List.of(0, 1), sets.predictionSet(new double[]{0.2, 0.8}));
        for (int i = 0; i < 10; i++) {
            sets.calibrate(new double[]{0.9, 0.1}, true, 0, 0); // score 0.1 replaces them all
        }
        assertEquals(10, sets.calibrated());
        assertEquals(List.of(), sets.predictionSet(new double[]{0.2, 0.8}), "0.2 > 0.1: the old 0.9 scores are gone");
        assertEquals(List.of(1), sets.predictionSet(new double[]{0.05, 0.95}));
    }

    @Test
    void adaptation_widensSetsAfterMissesAndNarrowsAfterHits() {
        ConformalSets sets = new ConformalSets(new AbstentionSettings(0.9, 0.01, 100, 1, 0.5), 2);
        double start = sets.alpha();
        sets.calibrate(new double[]{0.5, 0.5}, false, 0, 0);
        assertEquals(start + 0.01 * (0.1 - 1), sets.alpha(), 1e-15);
        double afterMiss = sets.alpha();
        sets.calibrate(new double[]{0.5, 0.5}, true, 0, 0);
        assertTrue(sets.alpha() > afterMiss);
    }

    @Test
    void lateFeedback_shortensTheStepToTheDelay() {
        ConformalSets sets = new ConformalSets(new AbstentionSettings(0.9, 0.01, 100, 1, 0.5), 2);
        double start = sets.alpha();
        sets.calibrate(new double[]{0.5, 0.5}, false, 0, 9);
        assertEquals(start + 0.01 * (0.1 - 1), sets.alpha(), 1e-15, "9 labels late: γ·10 = 0.1 < 1/e, the full step");
        double before = sets.alpha();
        sets.calibrate(new double[]{0.5, 0.5}, false, 0, 999);
        assertEquals(before + (0.1 - 1) / (Math.E * 1000), sets.alpha(), 1e-15, "1,000 labels late: the step is 1/(e·1000)");
    }

    @Test
    void targetsPerClass_coverEachClassAtItsOwnTarget() {
        AbstentionSettings settings = AbstentionSettings.perClassTargets(new double[]{0.95, 0.8}, 0.005, 500, 1, 0.5);
        assertEquals(0.8, settings.targetCoverage(), "the scalar target is the lowest");
        ConformalSets sets = new ConformalSets(settings, 2);
        java.util.Random random = new java.util.Random(17);
        int[] seen = new int[2];
        int[] covered = new int[2];
        for (int i = 0; i < 40_000; i++) {
            int truth = random.nextDouble() < 0.1 ? 1 : 0; // imbalanced, as fraud is
            double p1 = Math.min(1, Math.max(0, (truth == 1 ? 0.6 : 0.2) + random.nextGaussian() * 0.2)); // a noisy model
            double[] probabilities = {1 - p1, p1};
            boolean hit = sets.predictionSet(probabilities).contains(truth);
            sets.calibrate(probabilities, hit, truth, 0);
            if (i >= 20_000) {
                seen[truth]++;
                covered[truth] += hit ? 1 : 0;
            }
        }
        assertEquals(0.95, covered[0] / (double) seen[0], 0.01, "the genuine class at its 0.95");
        assertEquals(0.8, covered[1] / (double) seen[1], 0.02, "frauds at their 0.8");
        assertEquals(settings, AbstentionSettings.perClassTargets(new double[]{0.95, 0.8}, 0.005, 500, 1, 0.5), "equal by value");
    }
}
