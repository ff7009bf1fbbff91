package io.vigie.learner;

import org.junit.jupiter.api.Test;

import java.util.SplittableRandom;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

class ScoreCalibrationTest {

    @Test
    void saysNothing_untilEnoughLabels() {
        ScoreCalibration calibration = new ScoreCalibration();
        for (int i = 0; i < ScoreCalibration.MIN_LABELS - 1; i++) {
            calibration.add(0.7, i % 2 == 0);
        }
        assertFalse(calibration.ready());
        assertTrue(Double.isNaN(calibration.probability(0.7)));
    }

    /** Scores that overstate: an event scored s is true with chance s², the fit finds s² back. */
    @Test
    void findsHowOftenScoresComeTrue_monotone_keepingTheWindowsMean() {
        SplittableRandom random = new SplittableRandom(7);
        ScoreCalibration calibration = new ScoreCalibration();
        double[] scores = new double[ScoreCalibration.WINDOW];
        int trues = 0;
        for (int i = 0; i < ScoreCalibration.WINDOW; i++) { // the window fills exactly as a fit falls due
            scores[i] = random.nextDouble();
            boolean outcome = random.nextDouble() < scores[i] * scores[i];
            trues += outcome ? 1 : 0;
            calibration.add(scores[i], outcome);
        }
        for (double s : new double[]{0.2, 0.5, 0.9}) {
            assertEquals(s * s, calibration.probability(s), 0.08, "at " + s);
        }
        double previous = -1;
        for (double s = 0; s <= 1; s += 0.01) {
            assertTrue(calibration.probability(s) >= previous, "monotone at " + s);
            previous = calibration.probability(s);
        }
        double fitted = 0;
        for (double s : scores) {
            fitted += calibration.probability(s);
        }
        assertEquals(trues, fitted, 1e-6, "the fit's chances sum to the window's true outcomes");
    }

    @Test
    void followsTheLatestLabels() {
        ScoreCalibration calibration = new ScoreCalibration();
        for (int i = 0; i < ScoreCalibration.WINDOW; i++) {
            calibration.add(0.9, true);
        }
        assertEquals(1.0, calibration.probability(0.9));
        for (int i = 0; i < ScoreCalibration.WINDOW; i++) {
            calibration.add(0.9, i % 4 == 0); // the same score, now true one time in four
        }
        assertEquals(0.25, calibration.probability(0.9), 1e-12, "what came before the window is forgotten");
    }
}
