package io.vigie.learner.eval;

import com.yahoo.labs.samoa.instances.Instance;
import io.vigie.learner.EventStream;
import io.vigie.learner.LabelledEvent;
import io.vigie.learner.AbstentionSettings;
import io.vigie.learner.LearnerException;
import io.vigie.learner.Learners;
import io.vigie.learner.Model;
import io.vigie.learner.ModelSpec;
import io.vigie.learner.Schema;
import moa.streams.generators.SEAGenerator;
import org.junit.jupiter.api.Test;

import java.util.ArrayList;
import java.util.List;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * The delay protocol, checked with MOA's real no-change classifier: under a delay of k events it
 * must predict exactly the label of event t−k (class 0 before any label), and under a delay in
 * time the label of the latest event at least that old.
 */
class PrequentialEvaluationTest {

    /** A recorded SEA stream with a time one minute apart per event. */
    private static final class Recorded implements EventStream {
        final List<LabelledEvent> events = new ArrayList<>();
        final Schema schema;
        int next;

        Recorded(int length, boolean timed) {
            SEAGenerator sea = new SEAGenerator();
            sea.instanceRandomSeedOption.setValue(5);
            sea.noisePercentageOption.setValue(30);
            sea.prepareForUse();
            schema = Schema.fromHeader(sea.getHeader());
            for (int i = 0; i < length; i++) {
                Instance instance = sea.nextInstance().getData();
                events.add(timed ? new LabelledEvent(instance, 60_000L * i) : new LabelledEvent(instance));
            }
        }

        int label(int index) {
            return (int) events.get(index).instance().classValue();
        }

        @Override public Schema schema() { return schema; }
        @Override public boolean hasNext() { return next < events.size(); }
        @Override public LabelledEvent next() { return events.get(next++); }
        @Override public String name() { return "sea"; }
    }

    private static EvaluationReport evaluate(Recorded stream, LabelDelay delay, String... presets) {
        List<Model> models = new ArrayList<>();
        List<String> names = new ArrayList<>();
        for (String preset : presets) {
            models.add(new Model(Learners.create(ModelSpec.of(preset), stream.schema()), AbstentionSettings.DEFAULTS));
            names.add(preset);
        }
        return new PrequentialEvaluation(delay, 100, 1, PrequentialEvaluation.Progress.NONE, () -> 0L)
                .run(stream, names, models);
    }

    /**
     * Class 0 never delivered: each event is learned as 0 {@code after} events later unless its
     * true label (class 1, {@code delay} events later) came first, and learned again as 1 when it
     * comes after. No-change predicts the label it learned last, so the order of every delivery
     * shows in its accuracy; the expected order is worked out here on its own: by due event, then
     * by event, an event's true label before its implied one.
     */
    @Test
    void implicitLabels_comeInOrder_andLateTrueLabelsCorrectThem() {
        for (int[] kd : new int[][]{{20, 50}, {50, 20}, {30, 30}}) {
            int after = kd[0];
            int delay = kd[1];
            Recorded stream = new Recorded(3000, false);
            List<long[]> deliveries = new ArrayList<>(); // {due, kind (0 label, 1 implied), event, class}
            for (int i = 0; i < 3000; i++) {
                if (stream.label(i) == 1) {
                    deliveries.add(new long[]{i + delay, 0, i, 1});
                }
                deliveries.add(new long[]{i + after, 1, i, 0});
            }
            deliveries.sort(java.util.Comparator.<long[]>comparingLong(d -> d[0]).thenComparingLong(d -> d[2]).thenComparingLong(d -> d[1]));
            boolean[] delivered = new boolean[3000];
            boolean[] implied = new boolean[3000];
            long expectedCorrect = 0;
            long impliedCount = 0;
            long corrections = 0;
            int next = 0;
            int last = 0;
            for (int t = 0; t < 3000; t++) {
                for (; next < deliveries.size() && deliveries.get(next)[0] <= t; next++) {
                    long[] d = deliveries.get(next);
                    int event = (int) d[2];
                    if (d[1] == 0) {
                        corrections += implied[event] ? 1 : 0;
                        delivered[event] = true;
                        last = 1;
                    } else if (!delivered[event]) {
                        implied[event] = true;
                        impliedCount++;
                        last = 0;
                    }
                }
                expectedCorrect += last == stream.label(t) ? 1 : 0;
            }
            EvaluationReport report = new PrequentialEvaluation(new LabelDelay.Events(delay), 100, 1, PrequentialEvaluation.Progress.NONE,
                    () -> 0L).implicitLabels(0, new LabelDelay.Events(after)).run(stream, List.of("nochange"),
                    List.of(new Model(Learners.create(ModelSpec.of("nochange"), stream.schema()), AbstentionSettings.DEFAULTS)));
            String what = "implicit after " + after + ", delay " + delay;
            assertEquals(expectedCorrect, report.learners().get(0).cumulative().correct(), what);
            assertEquals(impliedCount, report.implicit().implied(), what);
            assertEquals(corrections, report.implicit().corrections(), what);
            assertEquals(after < delay, corrections > 0, what + ": corrections only when true labels come after the period");
            if (after == delay) {
                EvaluationReport plain = evaluate(new Recorded(3000, false), new LabelDelay.Events(delay), "hat");
                EvaluationReport implicit = new PrequentialEvaluation(new LabelDelay.Events(delay), 100, 1,
                        PrequentialEvaluation.Progress.NONE, () -> 0L).implicitLabels(0, new LabelDelay.Events(after))
                        .run(new Recorded(3000, false), List.of("hat"), List.of(new Model(Learners.create(ModelSpec.of("hat"),
                                stream.schema()), AbstentionSettings.DEFAULTS)));
                assertEquals(plain.learners().get(0).prAuc(), implicit.learners().get(0).prAuc(),
                        "a period equal to the delay learns what the delay alone does, in the same order");
                assertEquals(plain.learners().get(0).cumulative(), implicit.learners().get(0).cumulative());
            }
        }
    }

    /** In time, with three events to a minute: a period equal to the delay still learns in the delay's order, ties and all. */
    @Test
    void implicitLabels_overTheDelaysOwnSpan_learnWhatTheDelayAloneDoes() {
        EvaluationReport[] reports = new EvaluationReport[2];
        for (int run = 0; run < 2; run++) {
            Recorded ticks = new Recorded(3000, true);
            for (int i = 0; i < ticks.events.size(); i++) {
                ticks.events.set(i, new LabelledEvent(ticks.events.get(i).instance(), 60_000L * (i / 3)));
            }
            PrequentialEvaluation evaluation = new PrequentialEvaluation(LabelDelay.parse("30m"), 100, 1,
                    PrequentialEvaluation.Progress.NONE, () -> 0L);
            if (run == 1) {
                evaluation.implicitLabels(0, LabelDelay.parse("30m"));
            }
            reports[run] = evaluation.run(ticks, List.of("hat"), List.of(new Model(Learners.create(ModelSpec.of("hat"),
                    ticks.schema()), AbstentionSettings.DEFAULTS)));
        }
        assertEquals(reports[0].learners().get(0).prAuc(), reports[1].learners().get(0).prAuc());
        assertEquals(reports[0].learners().get(0).cumulative(), reports[1].learners().get(0).cumulative());
    }

    @Test
    void eventDelay_noChangePredictsTheLabelOfTMinusK() {
        for (int k : new int[]{0, 1, 5, 200}) {
            Recorded stream = new Recorded(3000, false);
            long expected = 0;
            for (int t = 0; t < 3000; t++) {
                int known = t - Math.max(k, 1);
                int prediction = known >= 0 ? stream.label(known) : 0;
                expected += prediction == stream.label(t) ? 1 : 0;
            }
            EvaluationReport report = evaluate(stream, new LabelDelay.Events(k), "nochange");
            assertEquals(expected, report.learners().get(0).cumulative().correct(), "delay " + k);
            assertEquals(3000, report.events());
        }
    }

    @Test
    void timeDelay_noChangePredictsTheLatestLabelOldEnough() {
        Recorded stream = new Recorded(2000, true);
        long expected = 0;
        for (int t = 0; t < 2000; t++) {
            int known = t - 30; // one event a minute, labels 30 minutes late
            expected += (known >= 0 ? stream.label(known) : 0) == stream.label(t) ? 1 : 0;
        }
        EvaluationReport report = evaluate(stream, LabelDelay.parse("30m"), "nochange");
        assertEquals(expected, report.learners().get(0).cumulative().correct());
    }

    @Test
    void period_reportsOnlyTheEventsInsideIt() {
        Recorded all = new Recorded(3000, true);
        Model model = new Model(Learners.create(ModelSpec.of("nb"), all.schema()), AbstentionSettings.DEFAULTS);
        LearnerResult whole = new PrequentialEvaluation(new LabelDelay.Events(0), 100, 1, PrequentialEvaluation.Progress.NONE, () -> 0L)
                .reportPeriod(Long.MIN_VALUE + 1, Long.MAX_VALUE).run(all, List.of("nb"), List.of(model)).learners().get(0);
        assertEquals(3000, whole.period().events());
        assertEquals(whole.prAuc(), whole.period().prAuc(), 0.0);
        assertEquals(whole.cumulative().accuracy(), whole.period().accuracy(), 0.0);

        Recorded again = new Recorded(3000, true);
        Model fresh = new Model(Learners.create(ModelSpec.of("nb"), again.schema()), AbstentionSettings.DEFAULTS);
        long from = 60_000L * 1000; // events 1000..1999 (one a minute)
        LearnerResult part = new PrequentialEvaluation(new LabelDelay.Events(0), 100, 1, PrequentialEvaluation.Progress.NONE, () -> 0L)
                .reportPeriod(from, from + 60_000L * 1000).run(again, List.of("nb"), List.of(fresh)).learners().get(0);
        assertEquals(1000, part.period().events());
        assertEquals(whole.cumulative().accuracy(), part.cumulative().accuracy(), 0.0, "the period does not change learning");
    }

    @Test
    void timeDelay_withoutTimesIsAClearError() {
        LearnerException e = assertThrows(LearnerException.class,
                () -> evaluate(new Recorded(10, false), LabelDelay.parse("1d"), "nochange"));
        assertTrue(e.getMessage().contains("time column"), e.getMessage());
    }

    @Test
    void broadcast_givesEveryLearnerTheSameEvents() {
        EvaluationReport report = evaluate(new Recorded(5000, false), new LabelDelay.Events(100), "ht", "nochange", "majority");
        assertEquals(3, report.learners().size());
        for (LearnerResult result : report.learners()) {
            assertEquals(5000, result.cumulative().count());
            assertEquals(100, result.windowed().count());
            assertTrue(result.rocAuc() >= 0 && result.rocAuc() <= 1);
        }
        double tree = report.learners().get(0).cumulative().accuracy();
        double majority = report.learners().get(2).cumulative().accuracy();
        assertTrue(tree > majority, "a Hoeffding tree beats the majority class on SEA: " + tree + " vs " + majority);
    }

    /**
     * References (the baselines) are scored on their decisions as models are, to the last count,
     * after the models, and paired with them; they have no sets, so no trust figures.
     */
    @Test
    void references_scoreAsModelsDo_withoutSets() {
        for (LabelDelay delay : List.of(new LabelDelay.Events(0), new LabelDelay.Events(100))) {
            EvaluationReport asModels = evaluate(new Recorded(5000, false), delay, "ht", "nochange", "majority");
            Recorded stream = new Recorded(5000, false);
            List<Model> baselines = new ArrayList<>();
            for (String preset : List.of("nochange", "majority")) {
                baselines.add(new Model(Learners.create(ModelSpec.of(preset), stream.schema()), AbstentionSettings.DEFAULTS));
            }
            EvaluationReport asReferences = new PrequentialEvaluation(delay, 100, 1, PrequentialEvaluation.Progress.NONE, () -> 0L)
                    .references(List.of("nochange", "majority"), baselines)
                    .run(stream, List.of("ht"), List.of(new Model(Learners.create(ModelSpec.of("ht"), stream.schema()),
                            AbstentionSettings.DEFAULTS)));
            assertEquals(3, asReferences.learners().size());
            assertEquals(asModels.learners().get(0).cumulative(), asReferences.learners().get(0).cumulative(), "the model is scored as before");
            assertEquals(asModels.learners().get(0).trust().coverage(), asReferences.learners().get(0).trust().coverage(), 0.0);
            for (int i = 1; i < 3; i++) {
                LearnerResult model = asModels.learners().get(i);
                LearnerResult reference = asReferences.learners().get(i);
                assertEquals(model.cumulative(), reference.cumulative(), model.name());
                assertEquals(model.windowed(), reference.windowed(), model.name());
                assertEquals(model.rocAuc(), reference.rocAuc(), 0.0);
                assertEquals(model.prAuc(), reference.prAuc(), 0.0);
                assertNotNull(model.trust());
                assertNull(reference.trust(), "a reference has no prediction sets");
            }
            assertArrayEquals(asModels.onlyRight(), asReferences.onlyRight());
        }
    }

    @Test
    void pairedCounts_explainTheGapBetweenTwoLearners() {
        EvaluationReport report = evaluate(new Recorded(5000, false), new LabelDelay.Events(100), "ht", "majority", "ht");
        long[][] onlyRight = report.onlyRight();
        for (int i = 0; i < 3; i++) {
            for (int j = 0; j < 3; j++) {
                long gap = report.learners().get(i).cumulative().correct() - report.learners().get(j).cumulative().correct();
                assertEquals(gap, onlyRight[i][j] - onlyRight[j][i], "only-right counts of " + i + " and " + j);
            }
        }
        assertEquals(0, onlyRight[0][2] + onlyRight[2][0], "the same tree on the same events never disagrees");
        assertEquals(1.0, report.sameAccuracyPValue(0, 2));
        assertTrue(report.sameAccuracyPValue(0, 1) < 1e-6, "a tree and the majority class differ by far: " + onlyRight[0][1] + " vs " + onlyRight[1][0]);
    }

    @Test
    void sameAccuracyPValue_isMcNemarsTest() {
        // 630 events only the first got right, 595 only the second: χ² = (35 − 1)² / 1225 = 0.9437
        EvaluationReport report = new EvaluationReport("s", 10_000, new LabelDelay.Events(0), 1000, 1, List.of(),
                new long[][]{{0, 630}, {595, 0}}, 1, null);
        assertEquals(0.33133, report.sameAccuracyPValue(0, 1), 1e-5);
        assertEquals(report.sameAccuracyPValue(0, 1), report.sameAccuracyPValue(1, 0));
    }
}
