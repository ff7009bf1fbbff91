package io.vigie.learner.monitor;

import org.junit.jupiter.api.Test;

import java.util.Random;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

class TwoSampleTest {

    @Test
    void ks_statisticIsTheLargestGapBetweenTheCdfs() {
        // CDFs: a steps at 1,2,3,4; b at 3,4,5,6: at x=2, F_a = 0.5, F_b = 0
        TwoSample.Ks ks = TwoSample.kolmogorovSmirnov(new double[]{1, 2, 3, 4}, new double[]{3, 4, 5, 6});
        assertEquals(0.5, ks.d(), 1e-12);
        TwoSample.Ks same = TwoSample.kolmogorovSmirnov(new double[]{1, 1, 2, 2}, new double[]{1, 1, 2, 2});
        assertEquals(0, same.d(), 1e-12, "ties on both sides are no gap");
        assertEquals(1, same.pValue(), 1e-12);
    }

    @Test
    void kolmogorovTail_matchesTheTabulatedCriticalValues() {
        assertEquals(0.05, TwoSample.kolmogorovTail(1.358), 5e-4);
        assertEquals(0.01, TwoSample.kolmogorovTail(1.628), 2e-4);
        assertEquals(0.001, TwoSample.kolmogorovTail(1.949), 3e-5);
    }

    @Test
    void ks_isRarelySignificantOnOneDistributionAndAlwaysOnAShiftedOne() {
        Random random = new Random(7);
        int falseAlarms = 0;
        for (int trial = 0; trial < 200; trial++) {
            double[] a = gaussian(random, 1000, 0);
            double[] b = gaussian(random, 1000, 0);
            if (TwoSample.kolmogorovSmirnov(a, b).pValue() < 0.05) {
                falseAlarms++;
            }
            assertTrue(TwoSample.kolmogorovSmirnov(a, gaussian(random, 1000, 0.5)).pValue() < 0.001);
        }
        assertTrue(falseAlarms <= 20, falseAlarms + " of 200 at the 5 % level"); // ~10 expected
    }

    @Test
    void wasserstein_ofAShiftIsTheShiftInReferenceDeviations() {
        double[] a = {0, 1, 2, 3, 4, 5, 6, 7, 8, 9};
        double[] b = new double[a.length];
        for (int i = 0; i < a.length; i++) {
            b[i] = a[i] + 2;
        }
        double sd = Math.sqrt(8.25); // population deviation of 0..9
        assertEquals(2 / sd, TwoSample.wasserstein(a, b), 1e-12);
        assertEquals(0, TwoSample.wasserstein(a, a.clone()), 1e-12);
    }

    @Test
    void chiSquareAndPsi_seeAChangeOfShares() {
        long[] reference = {500, 300, 200};
        TwoSample.ChiSquare same = TwoSample.chiSquare(reference, new long[]{500, 300, 200});
        assertEquals(0, same.statistic(), 1e-12);
        assertEquals(2, same.degreesOfFreedom());
        assertEquals(1, same.pValue(), 1e-9);
        // 2x2 table [[50,50],[30,70]]: chi-square = 8.333, p = 0.00389
        TwoSample.ChiSquare shifted = TwoSample.chiSquare(new long[]{50, 50}, new long[]{30, 70});
        assertEquals(8.3333, shifted.statistic(), 1e-3);
        assertEquals(0.00389, shifted.pValue(), 1e-4);
        assertEquals(0, TwoSample.psi(reference, reference), 1e-12);
        double psi = TwoSample.psi(reference, new long[]{200, 300, 500});
        assertTrue(psi > 0.25, "a swap of the shares is a large shift: " + psi);
        assertEquals(1, TwoSample.chiSquare(new long[]{10, 0}, new long[]{20, 0}).pValue(), "one category: nothing to test");
    }

    private static double[] gaussian(Random random, int n, double mean) {
        double[] values = new double[n];
        for (int i = 0; i < n; i++) {
            values[i] = mean + random.nextGaussian();
        }
        java.util.Arrays.sort(values);
        return values;
    }
}
