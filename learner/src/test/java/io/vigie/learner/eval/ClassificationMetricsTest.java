package io.vigie.learner.eval;

import org.junit.jupiter.api.Test;

import java.util.Random;

import static org.junit.jupiter.api.Assertions.assertEquals;

class ClassificationMetricsTest {

    @Test
    void wholeStream_matchesHandComputedValues() {
        ClassificationMetrics m = new ClassificationMetrics(2);
        int[][] predictedTrue = {{0, 0}, {1, 1}, {1, 0}, {1, 1}, {0, 1}, {1, 1}};
        for (int[] pt : predictedTrue) {
            m.add(pt[0], pt[1]);
        }
        assertEquals(6, m.count());
        assertEquals(4, m.correct());
        double p0 = 4 / 6.0;
        double pc = (2 / 6.0) * (2 / 6.0) + (4 / 6.0) * (4 / 6.0);
        assertEquals((p0 - pc) / (1 - pc), m.kappa(), 1e-15);
        // no-change starts at class 0: truths 0,1,0,1,1,1 -> hits at t=1 (0==0) and t=5,6
        double noChange = 3 / 6.0;
        assertEquals((p0 - noChange) / (1 - noChange), m.kappaTemporal(), 1e-15);
        // MOA's majority counts the current label first: majority after each = 0,0(tie),0,0(tie),1,1 -> hits t=1,3,5,6
        double majority = 4 / 6.0;
        assertEquals((p0 - majority) / (1 - majority), m.kappaM(), 1e-15);
    }

    @Test
    void window_equalsTheMetricsOfTheLastWEvents() {
        Random random = new Random(42);
        int window = 50;
        int[] predicted = new int[1000];
        int[] truth = new int[1000];
        ClassificationMetrics windowed = new ClassificationMetrics(3, window);
        for (int t = 0; t < 1000; t++) {
            predicted[t] = random.nextInt(3);
            truth[t] = random.nextDouble() < 0.6 ? predicted[t] : random.nextInt(3);
            windowed.add(predicted[t], truth[t]);
            if (t >= window && t % 97 == 0) {
                ClassificationMetrics fresh = new ClassificationMetrics(3);
                for (int s = t - window + 1; s <= t; s++) {
                    fresh.add(predicted[s], truth[s]);
                }
                assertEquals(fresh.count(), windowed.count());
                assertEquals(fresh.correct(), windowed.correct());
                assertEquals(fresh.kappa(), windowed.kappa(), 1e-12);
            }
        }
    }
}
