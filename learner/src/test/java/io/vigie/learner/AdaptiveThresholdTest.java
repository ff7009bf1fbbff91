package io.vigie.learner;

import org.junit.jupiter.api.Test;

import java.io.ByteArrayInputStream;
import java.io.ByteArrayOutputStream;
import java.io.ObjectInputStream;
import java.io.ObjectOutputStream;
import java.util.ArrayDeque;
import java.util.Random;

import static org.junit.jupiter.api.Assertions.assertEquals;

class AdaptiveThresholdTest {

    /** The window's sorted copy, kept in place, gives the same quantile as sorting the window afresh. */
    @Test
    void threshold_isTheQuantileOfTheLatestScores_withTiesAndAfterTheWindowFills() {
        Random random = new Random(7);
        for (int window : new int[]{10, 57}) {
            AdaptiveThreshold threshold = new AdaptiveThreshold(0.1, 0.0, window);
            ArrayDeque<Double> latest = new ArrayDeque<>();
            for (int i = 0; i < 5_000; i++) {
                // many ties: scores on a grid of ten values, now and then a fresh one
                double score = random.nextInt(4) == 0 ? random.nextDouble() : random.nextInt(10) / 10.0;
                threshold.update(score, true, 0);
                latest.addLast(score);
                if (latest.size() > window) {
                    latest.removeFirst();
                }
                double[] sorted = latest.stream().mapToDouble(Double::doubleValue).sorted().toArray();
                int rank = (int) Math.ceil((sorted.length + 1) * 0.9);
                double expected = rank > sorted.length ? Double.POSITIVE_INFINITY : sorted[rank - 1];
                assertEquals(expected, threshold.threshold(), 0.0, "after update " + i + " with a window of " + window);
            }
        }
    }

    /** Read back from its serialized form (a snapshot), the window gives the same thresholds from then on. */
    @Test
    void aSerializedThreshold_goesOnAsTheOriginal() throws Exception {
        Random random = new Random(3);
        for (int filled : new int[]{40, 500}) { // the ring part full, then wrapped round
            AdaptiveThreshold original = new AdaptiveThreshold(0.1, 0.01, 100);
            for (int i = 0; i < filled; i++) {
                original.update(random.nextInt(20) / 20.0, random.nextBoolean(), 0);
            }
            ByteArrayOutputStream bytes = new ByteArrayOutputStream();
            try (ObjectOutputStream out = new ObjectOutputStream(bytes)) {
                out.writeObject(original);
            }
            AdaptiveThreshold copy;
            try (ObjectInputStream in = new ObjectInputStream(new ByteArrayInputStream(bytes.toByteArray()))) {
                copy = (AdaptiveThreshold) in.readObject();
            }
            for (int i = 0; i < 300; i++) {
                assertEquals(original.threshold(), copy.threshold(), 0.0, "after " + filled + " + " + i);
                double score = random.nextDouble();
                boolean covered = random.nextBoolean();
                original.update(score, covered, 0);
                copy.update(score, covered, 0);
            }
        }
    }
}
