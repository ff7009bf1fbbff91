package io.vigie.learner;

import com.yahoo.labs.samoa.instances.Instance;
import io.vigie.learner.eval.EvaluationReport;
import io.vigie.learner.eval.LabelDelay;
import io.vigie.learner.eval.LearnerResult;
import io.vigie.learner.eval.PrequentialEvaluation;
import moa.streams.ConceptDriftStream;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;
import org.junit.jupiter.api.Test;

import java.util.List;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

class ModelTest {

    /** Agrawal function 1 then, abruptly at event 10,000, function 4. */
    private static final class AbruptDrift implements EventStream {
        private final ConceptDriftStream stream = new ConceptDriftStream();
        private final Schema schema;
        private long left;

        AbruptDrift(long length) {
            stream.streamOption.setValueViaCLIString("generators.AgrawalGenerator -f 1 -i 3");
            stream.driftstreamOption.setValueViaCLIString("generators.AgrawalGenerator -f 4 -i 3");
            stream.positionOption.setValue(10_000);
            stream.widthOption.setValue(1);
            stream.prepareForUse();
            schema = Schema.fromHeader(stream.getHeader());
            left = length;
        }

        @Override public Schema schema() { return schema; }
        @Override public boolean hasNext() { return left > 0; }
        @Override public LabelledEvent next() { left--; return new LabelledEvent((Instance) stream.nextInstance().getData()); }
        @Override public String name() { return "agrawal 1->4"; }
    }

    @ParameterizedTest(name = "{0}, delay {1}, coverage {2}")
    @CsvSource({"hat,0,0.9", "hat,500,0.9", "nb,0,0.8", "ht,200,0.95"})
    void coverage_holdsAcrossAnAbruptDrift(String preset, int delay, double target) {
        AbruptDrift stream = new AbruptDrift(20_000);
        Model model = new Model(Learners.create(ModelSpec.of(preset), stream.schema()),
                AbstentionSettings.DEFAULTS.withTargetCoverage(target));
        EvaluationReport report = new PrequentialEvaluation(new LabelDelay.Events(delay), 1000, 1,
                PrequentialEvaluation.Progress.NONE, () -> 0L).run(stream, List.of(preset), List.of(model));
        LearnerResult.Trust trust = report.learners().get(0).trust();
        assertEquals(target, trust.coverage(), 0.01, "coverage of " + preset);
        assertTrue(trust.meanSetSize() >= 1 && trust.meanSetSize() < 2, "sets are informative: " + trust.meanSetSize());
        double[] byWindow = trust.coverageByWindow();
        assertEquals(20, byWindow.length, "one coverage per window of 1,000 events");
        assertEquals(trust.coverage(), java.util.Arrays.stream(byWindow).average().orElseThrow(), 1e-12,
                "the windows partition the stream");
        double afterDrift = java.util.Arrays.stream(byWindow, 10, 20).average().orElseThrow();
        assertEquals(target, afterDrift, 0.02, "coverage holds over the 10,000 events after the drift too");
    }

    /**
     * With labels 1,000 events late, adaptive conformal inference at its undelayed step overshoots
     * and swings (windows of full sets alternating with windows missing half the classes); with
     * the step shortened to the delay, every window of 1,000 events stays near the target, but for
     * the few after the drift, when the model itself is wrong.
     */
    @Test
    void coverage_doesNotSwingWhenLabelsComeLate() {
        AbruptDrift stream = new AbruptDrift(30_000);
        Model model = new Model(Learners.create(ModelSpec.of("hat"), stream.schema()), AbstentionSettings.DEFAULTS);
        EvaluationReport report = new PrequentialEvaluation(new LabelDelay.Events(1000), 1000, 1,
                PrequentialEvaluation.Progress.NONE, () -> 0L).run(stream, List.of("hat"), List.of(model));
        double[] byWindow = report.learners().get(0).trust().coverageByWindow();
        // Windows 0 and 1 hold every class in the set: no label comes in the first, and the second's
        // labels are of blind guesses (scored before any label), which calibrate nothing.
        for (int w = 2; w < byWindow.length; w++) {
            // the model is wrong until the new concept's labels come and are learned, then ACI pays the misses back
            boolean drifting = w >= 10 && w < 16;
            assertTrue(drifting || byWindow[w] > 0.8 && byWindow[w] < 0.98, "window " + w + " coverage " + byWindow[w]
                    + " of " + java.util.Arrays.toString(byWindow));
        }
        assertEquals(0.9, report.learners().get(0).trust().coverage(), 0.01);
    }

    @Test
    void calibration_ignoresEventsScoredBeforeTheFirstLabel() {
        GeneratedStream stream = new GeneratedStream(1, 1, 200);
        Model model = new Model(Learners.create(ModelSpec.of("nb"), stream.schema()), AbstentionSettings.DEFAULTS);
        List<Instance> events = new java.util.ArrayList<>();
        List<Prediction> blind = new java.util.ArrayList<>();
        while (stream.hasNext()) { // every event scored before any label comes, as under a long delay
            Instance event = stream.nextInstance();
            events.add(event);
            blind.add(model.predict(event));
        }
        for (int i = 0; i < events.size(); i++) {
            assertEquals(0, blind.get(i).learnedBefore());
            model.learn(events.get(i), blind.get(i));
        }
        Prediction next = model.predict(events.get(0));
        assertFalse(next.probabilities().noOpinion(), "the model has learned");
        assertEquals(List.of(0, 1), next.predictionSet(),
                "200 labels learned, none of them a calibration score: a blind guess says nothing of the model's errors");
    }

    @Test
    void predict_abstainsWithTheRuleThatFired() {
        GeneratedStream stream = new GeneratedStream(1, 1, 3000);
        Model fresh = new Model(Learners.create(ModelSpec.of("hat"), stream.schema()), AbstentionSettings.DEFAULTS);
        Prediction first = fresh.predict(stream.nextInstance());
        assertTrue(first.abstain());
        assertEquals(Prediction.Reason.AMBIGUOUS_SET, first.reason(), "an uncalibrated model cannot single out a class");
        assertEquals(List.of(0, 1), first.predictionSet());

        AbstentionSettings costly = new AbstentionSettings(0.5, 0.005, 100, 1.0, 0.01);
        Model careful = new Model(Learners.create(ModelSpec.of("nb"), stream.schema()), costly);
        boolean sawCost = false;
        boolean sawAnswer = false;
        while (stream.hasNext()) {
            Instance instance = stream.nextInstance();
            Prediction p = careful.predict(instance);
            double pWrong = 1 - p.probabilities().probability(p.label());
            if (p.predictionSet().size() == 1) {
                assertEquals(pWrong > 0.01, p.abstain(), "cost rule at P(wrong) = " + pWrong);
                sawCost |= p.reason() == Prediction.Reason.EXPECTED_COST;
                if (!p.abstain()) {
                    assertNull(p.reason());
                    sawAnswer = true;
                }
            }
            careful.learn(instance, p);
        }
        assertTrue(sawCost && sawAnswer, "both outcomes of the cost rule occurred");
    }

    @Test
    void uncertainty_fromTheDistribution() {
        Uncertainty certain = Uncertainty.of(ClassProbabilities.fromVotes(new double[]{0, 5}, 2));
        assertEquals(0.0, certain.entropy(), 1e-15);
        assertEquals(1.0, certain.margin(), 1e-15);
        assertTrue(Double.isNaN(certain.disagreement()));
        Uncertainty unsure = Uncertainty.of(ClassProbabilities.fromVotes(new double[]{1, 1, 1}, 3));
        assertEquals(1.0, unsure.entropy(), 1e-12);
        assertEquals(0.0, unsure.margin(), 1e-15);
        ClassProbabilities a = ClassProbabilities.fromVotes(new double[]{1, 0}, 2);
        ClassProbabilities b = ClassProbabilities.fromVotes(new double[]{0, 1}, 2);
        assertEquals(1.0, Uncertainty.of(a, List.of(a, b)).disagreement(), 1e-12, "a 50/50 split of members");
        assertEquals(0.0, Uncertainty.of(a, List.of(a, a, a)).disagreement(), 1e-12);
        assertFalse(Double.isNaN(Uncertainty.of(a, List.of(a)).disagreement()));
    }
}
