package io.vigie.learner;

import org.junit.jupiter.api.Test;

import java.util.ArrayDeque;
import java.util.Random;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertInstanceOf;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** A committee's decision where a class is rare: the line of best kappa over its latest labelled predictions. */
class KappaLineTest {

    @Test
    void standsAside_whileBothClassesAreCommon_thenDrawsTheLineOfBestKappa() {
        KappaLine rule = new KappaLine();
        Random random = new Random(5);
        ArrayDeque<double[]> window = new ArrayDeque<>(); // (score, 1 if class 1) as the rule saw them
        for (int i = 0; i < 1500; i++) { // 40 % class 1: the most probable class decides
            boolean one = random.nextDouble() < 0.4;
            learn(rule, window, one ? 0.3 + 0.7 * random.nextDouble() : 0.7 * random.nextDouble(), one);
        }
        assertFalse(rule.decides(), "neither class is rare");
        ClassProbabilities leaning = ClassProbabilities.fromVotes(new double[]{0.6, 0.4}, 2);
        assertEquals(0, rule.decide(leaning).label());

        for (int i = 0; i < 2 * KappaLine.WINDOW; i++) { // 6 % class 1, its scores seldom above one half
            boolean one = random.nextDouble() < 0.06;
            learn(rule, window, one ? 0.15 + 0.5 * random.nextDouble() : 0.3 * random.nextDouble(), one);
        }
        assertTrue(rule.decides(), "class 1 is rare");
        double expected = bestKappaLine(window);
        assertTrue(expected < 0.5, "the line is drawn below one half: " + expected);
        assertEquals(expected, rule.line(), 1e-12, "every cut of the window tried, the best kept");
        assertEquals(1, rule.decide(ClassProbabilities.fromVotes(new double[]{1 - expected, expected}, 2)).label());
        assertEquals(0, rule.decide(ClassProbabilities.fromVotes(new double[]{1 - expected / 2, expected / 2}, 2)).label());
        assertArrayEquals(leaning.probabilities(), rule.decide(leaning).probabilities(), "the probabilities are the model's, only the label moves");
    }

    /** Scores that know nothing of the labels: the best cut of a window finds a little kappa in the noise, and no line is drawn. */
    @Test
    void aScorerAtChance_drawsNoLine() {
        KappaLine rule = new KappaLine();
        Random random = new Random(9);
        ArrayDeque<double[]> window = new ArrayDeque<>();
        double noise = 0;
        for (int i = 0; i < 5 * KappaLine.WINDOW; i++) {
            learn(rule, window, random.nextDouble() * random.nextDouble(), random.nextDouble() < 0.06);
            if (i % KappaLine.EVERY == 0 && window.size() == KappaLine.WINDOW) {
                noise = Math.max(noise, bestKappa(window));
                assertFalse(rule.decides(), "a line drawn at chance after " + i + " labels");
            }
        }
        assertTrue(noise > 0 && noise < KappaLine.SKILL, "the best cut's kappa in noise: " + noise);
        ClassProbabilities p = ClassProbabilities.fromVotes(new double[]{0.9, 0.1}, 2);
        assertEquals(0, rule.decide(p).label(), "the most probable class answers");
    }

    @Test
    void aBinaryCommittee_decidesByItsKappaLine_otherModelsAsTheyWere() {
        Schema binary = schema();
        assertInstanceOf(KappaLine.class, new Model(Learners.create(ModelSpec.of("committee -e nb,nochange"), binary),
                AbstentionSettings.DEFAULTS).operatingPoint());
        assertNull(new Model(Learners.create(ModelSpec.of("nb"), binary), AbstentionSettings.DEFAULTS).operatingPoint());
        OperatingPoint costs = new OperatingPoint(1, 10, 1);
        assertEquals(costs, new Model(Learners.create(ModelSpec.of("committee -e nb,nochange"), binary), AbstentionSettings.DEFAULTS,
                costs).operatingPoint(), "costs decide when given");
    }

    private static void learn(KappaLine rule, ArrayDeque<double[]> window, double score, boolean one) {
        rule.learn(score, one);
        window.addLast(new double[]{score, one ? 1 : 0});
        if (window.size() > KappaLine.WINDOW) {
            window.removeFirst();
        }
    }

    private static double bestKappaLine(ArrayDeque<double[]> window) {
        return bestCut(window)[1];
    }

    private static double bestKappa(ArrayDeque<double[]> window) {
        return bestCut(window)[0];
    }

    /** Brute force: every score of the window as the line, class 1 at and above it; the best kappa (the first of ties, highest line) and its line. */
    private static double[] bestCut(ArrayDeque<double[]> window) {
        double best = 0;
        double line = Double.POSITIVE_INFINITY;
        double[][] events = window.toArray(double[][]::new);
        java.util.Arrays.sort(events, (a, b) -> Double.compare(b[0], a[0]));
        for (double[] candidate : events) {
            long tp = 0, fp = 0, fn = 0, tn = 0;
            for (double[] e : events) {
                boolean answeredOne = e[0] >= candidate[0];
                boolean one = e[1] == 1;
                tp += answeredOne && one ? 1 : 0;
                fp += answeredOne && !one ? 1 : 0;
                fn += !answeredOne && one ? 1 : 0;
                tn += !answeredOne && !one ? 1 : 0;
            }
            double n = events.length;
            double observed = (tp + tn) / n;
            double expected = (tp + fp) / n * ((tp + fn) / n) + (fn + tn) / n * ((fp + tn) / n);
            double kappa = (observed - expected) / (1 - expected);
            if (kappa > best) {
                best = kappa;
                line = candidate[0];
            }
        }
        return new double[]{best, line};
    }

    private static Schema schema() {
        return new GeneratedStream(1, 1, 1).schema();
    }
}
