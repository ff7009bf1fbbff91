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

    /** Read back from its serialized form (a snapshot), the window and the level go on as the original's, with every method. */
    @Test
    void aSerializedThreshold_goesOnAsTheOriginal() throws Exception {
        Random random = new Random(3);
        for (ConformalMethod method : ConformalMethod.values()) {
            for (int filled : new int[]{40, 500}) { // the ring part full, then wrapped round
                AdaptiveThreshold original = new AdaptiveThreshold(0.1, 0.01, 100, method);
                for (int i = 0; i < filled; i++) {
                    original.update(random.nextInt(20) / 20.0, random.nextBoolean(), 0);
                }
                assertGoesOnAlike(original, roundTrip(original), random, method + " after " + filled);
            }
        }
    }

    /**
     * A snapshot from before the level rules holds no rule (its stream has no such field): it
     * reads back as the damped step it used, from the level it had reached.
     */
    @Test
    void aThresholdFromBeforeTheRules_readsBackAsTheDampedStep() throws Exception {
        Random random = new Random(5);
        AdaptiveThreshold original = new AdaptiveThreshold(0.1, 0.01, 100);
        for (int i = 0; i < 400; i++) {
            original.update(random.nextDouble(), random.nextInt(4) > 0, 3);
        }
        AdaptiveThreshold older = roundTrip(original);
        java.lang.reflect.Field rule = AdaptiveThreshold.class.getDeclaredField("rule");
        rule.setAccessible(true);
        rule.set(older, null); // as a stream without the field leaves it
        AdaptiveThreshold read = roundTrip(older);
        assertEquals(original.alpha(), read.alpha(), 0.0);
        assertGoesOnAlike(original, read, random, "the older form");
    }

    /**
     * Every method keeps its promise on a stream whose scores jump every 4,000 labels (the model
     * gets better, then worse): over 40,000 labels, within half a point of the target coverage,
     * with labels at once or 300 events late.
     */
    @Test
    void everyMethod_coversTheTarget_overAStreamThatShifts_withAndWithoutDelay() {
        for (ConformalMethod method : ConformalMethod.values()) {
            for (int delay : new int[]{0, 300}) {
                Random random = new Random(11);
                AdaptiveThreshold threshold = new AdaptiveThreshold(0.1, 0.005, 500, method);
                ArrayDeque<double[]> waiting = new ArrayDeque<>(); // {score, covered} of predictions awaiting their label
                int covered = 0;
                int labels = 40_000;
                for (int t = 0; t < labels + delay; t++) {
                    if (t < labels) {
                        double spread = (t / 4_000) % 2 == 0 ? 0.3 : 0.9;
                        double score = spread * random.nextDouble();
                        boolean hit = score <= threshold.threshold();
                        covered += hit ? 1 : 0;
                        waiting.addLast(new double[]{score, hit ? 1 : 0});
                    }
                    if (waiting.size() > delay || t >= labels) {
                        double[] label = waiting.removeFirst();
                        threshold.update(label[0], label[1] == 1, delay);
                    }
                }
                assertEquals(0.9, covered / (double) labels, 0.005, method + " at a delay of " + delay);
            }
        }
    }

    private static AdaptiveThreshold roundTrip(AdaptiveThreshold threshold) throws Exception {
        ByteArrayOutputStream bytes = new ByteArrayOutputStream();
        try (ObjectOutputStream out = new ObjectOutputStream(bytes)) {
            out.writeObject(threshold);
        }
        try (ObjectInputStream in = new ObjectInputStream(new ByteArrayInputStream(bytes.toByteArray()))) {
            return (AdaptiveThreshold) in.readObject();
        }
    }

    private static void assertGoesOnAlike(AdaptiveThreshold original, AdaptiveThreshold copy, Random random, String what) {
        for (int i = 0; i < 300; i++) {
            assertEquals(original.threshold(), copy.threshold(), 0.0, what + " + " + i);
            assertEquals(original.alpha(), copy.alpha(), 0.0, what + " + " + i);
            double score = random.nextDouble();
            boolean covered = random.nextBoolean();
            original.update(score, covered, i % 7);
            copy.update(score, covered, i % 7);
        }
    }
}
