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
        // class 1: predicted 4 times, 3 right; 4 events of it, 3 found
        assertEquals(3 / 4.0, m.precision(1), 1e-15);
        assertEquals(3 / 4.0, m.recall(1), 1e-15);
        // class 0: predicted twice, once right; 2 events of it, 1 found
        assertEquals(1 / 2.0, m.precision(0), 1e-15);
        assertEquals(1 / 2.0, m.recall(0), 1e-15);
    }

    @Test
    void metricsSavedBeforePerClassCounts_countThemFromWhenTheyAreRead() throws Exception {
        ClassificationMetrics windowed = new ClassificationMetrics(2, 4);
        for (int[] pt : new int[][]{{1, 1}, {1, 0}, {0, 0}}) {
            windowed.add(pt[0], pt[1]);
        }
        // what a snapshot written before the per-class counts holds: the fields null
        for (String field : new String[]{"classPredicted", "classTrue", "classCorrect"}) {
            java.lang.reflect.Field f = ClassificationMetrics.class.getDeclaredField(field);
            f.setAccessible(true);
            f.set(windowed, null);
        }
        java.io.ByteArrayOutputStream bytes = new java.io.ByteArrayOutputStream();
        try (java.io.ObjectOutputStream out = new java.io.ObjectOutputStream(bytes)) {
            out.writeObject(windowed);
        }
        ClassificationMetrics restored;
        try (java.io.ObjectInputStream in = new java.io.ObjectInputStream(new java.io.ByteArrayInputStream(bytes.toByteArray()))) {
            restored = (ClassificationMetrics) in.readObject();
        }
        restored.add(1, 1);
        assertEquals(1.0, restored.precision(1), "only what came after counts");
        for (int i = 0; i < 3; i++) { // the three older predictions leave the window: nothing goes negative
            restored.add(0, 1);
        }
        assertEquals(1.0, restored.precision(1));
        assertEquals(1 / 4.0, restored.recall(1), 1e-15);
        restored.add(0, 1); // and the first counted one leaves
        assertEquals(0.0, restored.recall(1));
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
                for (int c = 0; c < 3; c++) {
                    assertEquals(fresh.precision(c), windowed.precision(c), 1e-12);
                    assertEquals(fresh.recall(c), windowed.recall(c), 1e-12);
                }
            }
        }
    }
}
