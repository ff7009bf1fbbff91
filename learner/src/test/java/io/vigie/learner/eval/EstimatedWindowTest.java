package io.vigie.learner.eval;

import io.vigie.learner.ClassProbabilities;
import org.junit.jupiter.api.Test;

import java.util.SplittableRandom;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

class EstimatedWindowTest {

    private static ClassProbabilities answer(double positiveScore, int label) {
        return new ClassProbabilities(new double[]{1 - positiveScore, positiveScore}, label, false, false);
    }

    /** Chances that are certain (1 when the answer was right, 0 when wrong) estimate exactly what the labels say. */
    @Test
    void certainChances_estimateTheRealisedFigures() {
        SplittableRandom random = new SplittableRandom(3);
        EstimatedWindow estimated = new EstimatedWindow(1);
        ClassificationMetrics realised = new ClassificationMetrics(2);
        BinaryRanking ranking = new BinaryRanking();
        for (int i = 0; i < 1000; i++) {
            double score = Math.floor(random.nextDouble() * 50) / 50; // ties too
            int truth = random.nextDouble() < score ? 1 : 0;
            int label = score >= 0.3 ? 1 : 0;
            estimated.add(answer(score, label), label == truth ? 1 : 0);
            realised.add(label, truth);
            ranking.add(score, truth == 1);
        }
        assertEquals(realised.accuracy(), estimated.accuracy(), 1e-12);
        assertEquals(realised.precision(1), estimated.precision(), 1e-12);
        assertEquals(realised.recall(1), estimated.recall(), 1e-12);
        assertEquals(ranking.prAuc(), estimated.prAuc(), 1e-12);
    }

    @Test
    void answersWithoutAChance_areLeftOut() {
        EstimatedWindow estimated = new EstimatedWindow(-1);
        estimated.add(answer(0.8, 1), Double.NaN);
        assertEquals(0, estimated.count());
        assertTrue(Double.isNaN(estimated.accuracy()));
        estimated.add(answer(0.8, 1), 0.75);
        assertEquals(0.75, estimated.accuracy());
        assertTrue(Double.isNaN(estimated.precision()), "precision is for binary models");
    }

    @Test
    void aGap_isAShortfallBeyondTheBand_onceTheRecordIsTrusted() {
        EstimateRecord record = new EstimateRecord();
        EstimatedWindow window = windowOf(0.9, 1000);
        double band = window.band(record);
        assertEquals(3 * Math.sqrt(0.09 / 1000 + 0.09 / 2000), band, 1e-12, "coin flips and the calibration's own sample");
        for (int i = 0; i < EstimateRecord.TRUSTED; i++) {
            assertFalse(window.gap(0.5, record), "no gap before the estimator has a record, window " + i);
        }
        assertEquals(EstimateRecord.TRUSTED, record.windows(), "windows without a gap go on the record");
        EstimateRecord trusted = recordOf(0.9, 0.9, EstimateRecord.TRUSTED);
        assertTrue(windowOf(0.9, 1000).gap(0.9 - band - 0.001, trusted));
        assertFalse(windowOf(0.9, 1000).gap(0.9 - band + 0.001, trusted));
        assertFalse(windowOf(0.9, 1000).gap(1.0, trusted), "beating the estimate is learning, not a gap");
        assertFalse(windowOf(1.0, 1000).gap(0.99, recordOf(1.0, 1.0, 5)), "a shortfall under two points is not a gap, whatever the band");
    }

    @Test
    void aRecordOfLargeErrors_widensTheBand() {
        EstimatedWindow window = windowOf(0.9, 1000);
        EstimateRecord steady = recordOf(0.9, 0.9, 5);
        EstimateRecord erratic = recordOf(0.9, 0.8, 5);
        assertEquals(0.3, window.band(erratic), 1e-12, "three times the record's ten-point error");
        assertTrue(window.gap(0.75, steady));
        assertFalse(window.gap(0.75, erratic));
    }

    private static EstimatedWindow windowOf(double chance, int n) {
        EstimatedWindow window = new EstimatedWindow(-1);
        for (int i = 0; i < n; i++) {
            window.add(answer(0.9, 1), chance);
        }
        return window;
    }

    private static EstimateRecord recordOf(double estimated, double realised, int windows) {
        EstimateRecord record = new EstimateRecord();
        for (int i = 0; i < windows; i++) {
            record.add(estimated, realised);
        }
        return record;
    }
}
