package io.vigie.datasets;

import io.vigie.learner.EventStream;
import io.vigie.learner.AbstentionSettings;
import io.vigie.learner.Learners;
import io.vigie.learner.Model;
import io.vigie.learner.ModelSpec;
import io.vigie.learner.eval.EvaluationReport;
import io.vigie.learner.eval.LabelDelay;
import io.vigie.learner.eval.LearnerResult;
import io.vigie.learner.eval.PrequentialEvaluation;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

import java.nio.file.Path;
import java.util.List;
import java.util.Set;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * The evaluator behind {@code vigie eval} against MOA's own {@code EvaluatePrequential} and
 * {@code EvaluatePrequentialDelayed -p 0}, run here on the same stream with the same learner spec:
 * the number of correct predictions must be identical, except for predictions where MOA's raw
 * votes held NaN or infinities (MOA's argmax and our vote rule may differ there, and only there),
 * and so must kappa.
 */
class MoaParityTest {
    private static final String AGRAWAL_DRIFT =
            "ConceptDriftStream -s (generators.AgrawalGenerator -f 1 -i 7) -d (generators.AgrawalGenerator -f 4 -i 7) -p 10000 -w 500";

    @TempDir
    static Path tmp;
    static Path elec2;

    @BeforeAll
    static void unpack() {
        elec2 = SharedData.gunzip("elec2.arff.gz", tmp);
    }

    @ParameterizedTest(name = "{0} on elec2, delay {1}")
    @CsvSource({"ht,0", "hat,0", "arf,0", "levbag,0", "ht,1000", "hat,1000", "arf,1000", "levbag,1000"})
    void elec2_matchesMoa(String preset, int delay) throws Exception {
        ModelSpec spec = new ModelSpec(preset, 1);
        MoaReference.Result moa = MoaReference.run(spec, "(ArffFileStream -f " + elec2 + ")", delay, -1);
        LearnerResult ours = runOurs(SharedData.file("elec2.arff.gz").toString(), spec, delay, -1);
        assertParity(moa, ours, 45_312);
    }

    @ParameterizedTest(name = "{0} on Agrawal 1->4 drift, delay {1}")
    @CsvSource({"ht,0", "hat,0", "ht,500", "hat,500"})
    void generator_matchesMoa(String preset, int delay) throws Exception {
        ModelSpec spec = new ModelSpec(preset, 1);
        MoaReference.Result moa = MoaReference.run(spec, "(" + AGRAWAL_DRIFT + ")", delay, 20_000);
        LearnerResult ours = runOurs(Streams.GENERATOR + AGRAWAL_DRIFT, spec, delay, 20_000);
        assertParity(moa, ours, 20_000);
    }

    private static void assertParity(MoaReference.Result moa, LearnerResult ours, long events) {
        assertEquals(events, moa.events(), "MOA saw every event");
        assertEquals(events, ours.cumulative().count(), "we saw every event");
        long difference = Math.abs(moa.correct() - ours.cumulative().correct());
        assertTrue(difference <= ours.irregularVotes(), "correct predictions: MOA " + moa.correct() + ", ours "
                + ours.cumulative().correct() + ", irregular votes " + ours.irregularVotes());
        if (ours.irregularVotes() == 0) {
            assertEquals(moa.correct(), ours.cumulative().correct());
            assertEquals(moa.kappa(), ours.cumulative().kappa(), 0.0, "kappa is bit-identical");
            assertEquals(moa.kappaTemporal(), ours.cumulative().kappaTemporal(), 0.0, "kappa-temporal is bit-identical");
        } else {
            double slack = 4.0 * ours.irregularVotes() / events;
            assertEquals(moa.kappa(), ours.cumulative().kappa(), slack, "kappa within the irregular votes' reach");
        }
    }

    private static LearnerResult runOurs(String source, ModelSpec spec, int delay, long limit) {
        try (EventStream stream = Streams.open(source, null, null, Set.of(), limit)) {
            Model model = new Model(Learners.create(spec, stream.schema()), AbstentionSettings.DEFAULTS);
            EvaluationReport report = new PrequentialEvaluation(new LabelDelay.Events(delay), 1000, 1,
                    PrequentialEvaluation.Progress.NONE, System::nanoTime).run(stream, List.of(spec.model()), List.of(model));
            return report.learners().get(0);
        }
    }
}
