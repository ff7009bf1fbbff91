package io.vigie.learner;

import io.vigie.learner.eval.LabelDelay;
import io.vigie.learner.eval.LearnerResult;
import io.vigie.learner.eval.PrequentialEvaluation;
import org.junit.jupiter.api.Test;

import java.util.List;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

class ExpectedPerformanceTest {
    private static final int DELAY = 2000;

    private static LearnerResult.Estimates evaluate(EventStream stream) {
        Model model = new Model(Learners.create(ModelSpec.of("hat"), stream.schema()), AbstentionSettings.DEFAULTS);
        return new PrequentialEvaluation(new LabelDelay.Events(DELAY), 1000, 1, PrequentialEvaluation.Progress.NONE, () -> 0L)
                .run(stream, List.of("hat"), List.of(model)).learners().get(0).estimates();
    }

    @Test
    void withoutConceptDrift_windowsAreEstimatedWithinThreePoints_beforeTheirLabels() {
        LearnerResult.Estimates estimates = evaluate(new GeneratedStream(2, 1, 40_000));
        assertTrue(estimates.meanAbsoluteError() <= 0.03, "mean absolute error " + estimates.meanAbsoluteError());
        assertEquals(estimates.realisedAccuracy(), estimates.accuracy(), 0.01);
        assertEquals(0, estimates.gaps(), "no gap where the concept stays");
        // the first answers had no chance (too few labels had come): windows start once they do
        assertEquals(40 - 4, estimates.windows().size(), "" + estimates.windows().get(0));
    }

    /** Agrawal function 2 then 3: the inputs are drawn alike, only the concept changes. */
    @Test
    void anAbruptConceptDrift_showsAsAGap_withinTwoWindows() {
        LearnerResult.Estimates estimates = evaluate(DriftStreams.agrawal(2, 3, 30_000, 40_000));
        List<LearnerResult.Estimate> gaps = estimates.windows().stream().filter(LearnerResult.Estimate::gap).toList();
        assertFalse(gaps.isEmpty(), "a gap after the drift");
        assertTrue(gaps.get(0).end() > 30_000 && gaps.get(0).end() <= 32_000, "first gap " + gaps.get(0));
    }

    @Test
    void aPrediction_carriesItsChance_onceLabelsHaveCalibratedIt() {
        GeneratedStream stream = new GeneratedStream(1, 1, 1000);
        Model model = new Model(Learners.create(ModelSpec.of("nb"), stream.schema()), AbstentionSettings.DEFAULTS);
        int scored = 0;
        while (stream.hasNext()) {
            com.yahoo.labs.samoa.instances.Instance event = stream.nextInstance();
            Prediction p = model.learnUnscored(event);
            scored++;
            // the first answer is a blind guess that calibrates nothing; the fit is drawn every 100 labels from 200 on
            assertEquals(scored > ScoreCalibration.MIN_LABELS + 1, !Double.isNaN(p.chanceRight()), "answer " + scored);
        }
    }
}
