package io.vigie.server.model;

import com.yahoo.labs.samoa.instances.Instance;
import io.vigie.datasets.Streams;
import io.vigie.learner.AbstentionSettings;
import io.vigie.learner.EventStream;
import io.vigie.learner.LabelledEvent;
import io.vigie.learner.Learners;
import io.vigie.learner.Model;
import io.vigie.learner.ModelSpec;
import io.vigie.learner.Prediction;
import io.vigie.learner.Schema;
import io.vigie.learner.monitor.InputDriftMonitor;
import io.vigie.server.ApiProblem;
import io.vigie.server.store.LogRecord;
import io.vigie.server.store.PendingEvents;
import io.vigie.server.store.ScoredEvent;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Set;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotSame;
import static org.junit.jupiter.api.Assertions.assertSame;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * The state machine alone, fed log records: no writer thread, no disk, no network. What it must
 * do is what replay relies on: the same records give the same model, whoever feeds them.
 */
class ModelStateMachineTest {
    private static final long T0 = 1_700_000_000_000L;
    private static Schema schema;
    private static List<Instance> events;

    /** 3,000 events of MOA's SEA generator (seeded, so the same every run). */
    @BeforeAll
    static void stream() {
        events = new ArrayList<>();
        try (EventStream sea = Streams.open("generator:generators.SEAGenerator -i 3", null, null, Set.of(), 3_000)) {
            schema = sea.schema();
            while (sea.hasNext()) {
                LabelledEvent event = sea.next();
                events.add(event.instance());
            }
        }
    }

    private static ModelDefinition definition(String model) {
        return new ModelDefinition("m", schema, new ModelSpec(model, 1), AbstentionSettings.DEFAULTS, Duration.ofDays(30), T0,
                ModelDefinition.UnknownValues.MISSING, null, null, List.of(), null, null, List.of());
    }

    private static ModelStateMachine fresh(String model, Counting listener) {
        return new ModelStateMachine(definition(model), null, version -> {
            throw new AssertionError("no rollback expected");
        }, listener);
    }

    private static Instance unlabelled(int i) {
        return schema.withoutLabel(events.get(i));
    }

    private static int label(int i) {
        return (int) events.get(i).classValue();
    }

    /**
     * Scores events {@code from..to-1} and returns the label records a writer would log for them,
     * numbered from {@code seq}: each carries the event as it was stored when scored.
     */
    private static List<LogRecord> scoreAndLabel(ModelStateMachine machine, int from, int to) {
        List<String> ids = new ArrayList<>();
        List<Instance> batch = new ArrayList<>();
        for (int i = from; i < to; i++) {
            ids.add("e" + i);
            batch.add(unlabelled(i));
        }
        ModelStateMachine.Scores scores = machine.score(requests(ids, batch), T0 + from);
        List<LogRecord> labels = new ArrayList<>();
        for (int i = 0; i < ids.size(); i++) {
            PendingEvents.Scoring stored = scores.stored().get(i);
            labels.add(new LogRecord.Label(stored.id(), label(from + i), T0 + from + i, stored.event(), null));
        }
        return labels;
    }

    static List<ScoreRequest> requests(List<String> ids, List<Instance> events) {
        List<ScoreRequest> requests = new ArrayList<>();
        for (int i = 0; i < ids.size(); i++) {
            requests.add(new ScoreRequest(ids.get(i), events.get(i)));
        }
        return requests;
    }

    private static long apply(ModelStateMachine machine, long seq, List<LogRecord> records) {
        for (LogRecord record : records) {
            machine.apply(++seq, record, null);
        }
        return seq;
    }

    private static List<double[]> probe(ModelStateMachine machine) {
        List<double[]> answers = new ArrayList<>();
        for (int i = 2_900; i < 3_000; i++) {
            answers.add(machine.model().predict(unlabelled(i)).probabilities().probabilities());
        }
        return answers;
    }

    private static void assertSameAnswers(List<double[]> expected, List<double[]> actual) {
        assertEquals(expected.size(), actual.size());
        for (int i = 0; i < expected.size(); i++) {
            assertEquals(java.util.Arrays.toString(expected.get(i)), java.util.Arrays.toString(actual.get(i)), "probe " + i);
        }
    }

    @Test
    void apply_labels_learnsMeasuresAndHandsOverWhatWasLabelled() {
        Counting listener = new Counting();
        ModelStateMachine machine = fresh("ht", listener);
        List<LogRecord> first = scoreAndLabel(machine, 0, 50);
        assertEquals(0, machine.model().learner().learned(), "scoring learns nothing");
        long seq = apply(machine, 0, first);
        for (int from = 50; from < 500; from += 50) {
            seq = apply(machine, seq, scoreAndLabel(machine, from, from + 50));
        }

        assertEquals(500, seq);
        assertEquals(500, machine.version(), "the version is the last record applied");
        assertEquals(500, machine.model().learner().learned());
        assertEquals(500, listener.learned);
        assertEquals(0, listener.failed);
        assertEquals(500, machine.serving().metrics().cumulative().count(), "each label measured the answer it labels");
        assertTrue(machine.serving().metrics().cumulative().accuracy() > 0.7, "answers given while it learns: SEA is learnable");
        assertEquals(500, machine.labelledWaiting());
        List<PendingEvents.Labelled> marks = machine.takeLabelled();
        assertEquals("e0", marks.get(0).id());
        assertEquals(label(0), marks.get(0).label());
        assertEquals(0, machine.labelledWaiting(), "handed over once");
    }

    @Test
    void replay_ofTheSameRecords_givesTheSameModelAsLive() {
        ModelStateMachine live = fresh("hat", new Counting());
        List<LogRecord> logged = new ArrayList<>();
        long seq = 0;
        for (int from = 0; from < 2_000; from += 250) { // live: scoring and learning interleave, as on the writer
            List<LogRecord> labels = scoreAndLabel(live, from, from + 250);
            seq = apply(live, seq, labels);
            logged.addAll(labels);
        }
        ModelStateMachine replayed = fresh("hat", new Counting());
        apply(replayed, 0, logged);

        assertEquals(live.version(), replayed.version());
        assertEquals(live.model().learner().learned(), replayed.model().learner().learned());
        assertSameAnswers(probe(live), probe(replayed));
        assertEquals(live.serving().metrics().cumulative().accuracy(), replayed.serving().metrics().cumulative().accuracy());
    }

    @Test
    void impliedLabelsAndCorrections_replayFromTheirEncodedRecords_toTheSameModel() throws Exception {
        ModelStateMachine live = fresh("hat", new Counting());
        long minute = 60_000;
        List<ScoreRequest> requests = new ArrayList<>();
        for (int i = 0; i < 600; i++) {
            requests.add(new ScoreRequest("t" + i, unlabelled(i), T0 + i * minute, List.of()));
        }
        List<PendingEvents.Scoring> stored = live.score(requests, T0 + 600 * minute * 2).stored();
        assertEquals(T0 + 599 * minute, live.clock(), "scoring moves the clock to the latest event time");
        List<LogRecord> logged = new ArrayList<>();
        for (int i = 0; i < 600; i++) {
            ScoredEvent event = stored.get(i).event();
            int truth = label(i);
            if (truth == 1) { // only the one class is ever reported: the rest is implied
                logged.add(new LogRecord.Label("t" + i, truth, T0, event, null, T0 + i * minute + 30 * minute));
            } else {
                logged.add(new LogRecord.ImpliedLabel("t" + i, 1, T0 + i * minute + 60 * minute, event));
                if (i % 10 == 0) { // the chargeback comes after all
                    logged.add(new LogRecord.Label("t" + i, truth, T0, event.withImpliedLabel(1, T0 + i * minute + 60 * minute), null,
                            T0 + 900 * minute));
                }
            }
        }
        apply(live, 0, logged);
        long corrections = logged.stream().filter(r -> r instanceof LogRecord.Label l && l.corrects()).count();
        assertTrue(corrections > 10, "some implied labels were corrected: " + corrections);
        assertEquals(corrections, live.serving().corrections());
        assertEquals(600 - logged.stream().filter(r -> r instanceof LogRecord.Label l && !l.corrects()).count(),
                live.serving().impliedLabels());
        assertEquals(600 + corrections, live.model().learner().learned(), "a correction is learned");
        assertEquals(600, live.serving().metrics().cumulative().count(), "and not measured twice");
        assertEquals(T0 + 900 * minute, live.clock());
        List<PendingEvents.Labelled> marks = live.takeLabelled();
        assertTrue(marks.stream().anyMatch(PendingEvents.Labelled::implied));

        ModelStateMachine replayed = fresh("hat", new Counting());
        List<LogRecord> decoded = new ArrayList<>();
        for (LogRecord record : logged) {
            decoded.add(LogRecord.decode(new java.io.DataInputStream(new java.io.ByteArrayInputStream(LogRecord.encode(record)))));
        }
        for (int i = 0; i < logged.size(); i++) {
            assertEquals(logged.get(i).getClass(), decoded.get(i).getClass());
            assertArrayEquals(LogRecord.encode(logged.get(i)), LogRecord.encode(decoded.get(i)), "record " + i + " reads back as written");
        }
        apply(replayed, 0, decoded);
        assertSameAnswers(probe(live), probe(replayed));
        assertEquals(live.serving().corrections(), replayed.serving().corrections());
        assertEquals(live.serving().impliedLabels(), replayed.serving().impliedLabels());
        assertEquals(live.clock(), replayed.clock());
        assertEquals(live.serving().metrics().cumulative().accuracy(), replayed.serving().metrics().cumulative().accuracy());
    }

    @Test
    void apply_labelledEvent_scoresThenLearnsAndShowsItToTheInputMonitor() {
        Counting listener = new Counting();
        ModelStateMachine machine = fresh("ht", listener);
        long seq = 0;
        for (int i = 0; i < InputDriftMonitor.DEFAULT_WINDOW * 3; i++) {
            machine.apply(++seq, new LogRecord.LabelledEvent("e" + i, events.get(i).toDoubleArray(), label(i), T0 + i, null), null);
        }
        assertEquals(seq, machine.model().learner().learned());
        assertEquals(seq, machine.serving().metrics().cumulative().count());
        assertTrue(listener.inputChecks > 0, "a labelled event is an input the monitor sees, too");
        List<PendingEvents.Scoring> learned = machine.takeLearned();
        assertEquals(seq, learned.size(), "each labelled event is stored once learned: its id is taken");
        assertEquals("e0", learned.get(0).id());
        assertTrue(learned.get(0).event().labelled());
        assertEquals(label(0), learned.get(0).event().label());
    }

    @Test
    void apply_sourcedRecords_remembersWhatTheLogHolds() {
        ModelStateMachine machine = fresh("ht", new Counting());
        LogRecord.Source at7 = new LogRecord.Source("vigie.events", 2, 7);
        assertFalse(machine.holds(at7));
        machine.apply(1, new LogRecord.LabelledEvent("a", events.get(0).toDoubleArray(), label(0), T0, at7), null);

        assertTrue(machine.holds(at7));
        assertTrue(machine.holds(new LogRecord.Source("vigie.events", 2, 3)), "earlier offsets of the partition are logged too");
        assertFalse(machine.holds(new LogRecord.Source("vigie.events", 2, 8)));
        assertFalse(machine.holds(new LogRecord.Source("vigie.events", 1, 7)), "another partition");
        assertFalse(machine.holds(null), "an HTTP record has no position");
    }

    @Test
    void challengers_addLearnAndPromote_onlyThroughRecords() {
        ModelStateMachine machine = fresh("ht", new Counting());
        Model formerChampion = machine.model();
        long seq = apply(machine, 0, scoreAndLabel(machine, 0, 300));
        machine.apply(++seq, new LogRecord.ChallengerAdded("nb", "nb", 1, "shadow", 0, 0, 0, T0), null);
        assertThrows(ApiProblem.class, () -> machine.checkNewChallenger("nb", Challenger.Mode.SHADOW, 0), "the name is taken");
        seq = apply(machine, seq, scoreAndLabel(machine, 300, 800));

        Challenger nb = machine.challengers().get(0);
        assertEquals(500, nb.model().learner().learned(), "it learns what the champion learns from its arrival on");
        assertEquals(500, nb.comparison().events(), "and is compared on every event both scored");

        machine.apply(++seq, new LogRecord.Promotion("nb", T0 + 1), null);
        assertSame(nb.model(), machine.model(), "the challenger is the champion");
        assertNotSame(formerChampion, machine.model());
        assertTrue(machine.challengers().isEmpty());
        assertEquals("promotion", machine.serving().timeline().markers().get(0).kind());
        assertThrows(ApiProblem.class, () -> machine.requireChallenger("nb"));
    }

    @Test
    void apply_rollback_takesTheVersionFromTheLoaderUnlessPreloaded() {
        List<Long> loaded = new ArrayList<>();
        Model restored = new Model(Learners.create(new ModelSpec("ht", 1), schema), AbstentionSettings.DEFAULTS);
        ModelStateMachine machine = new ModelStateMachine(definition("ht"), null, version -> {
            loaded.add(version);
            return restored;
        }, new Counting());
        long seq = apply(machine, 0, scoreAndLabel(machine, 0, 200));

        machine.apply(++seq, new LogRecord.Rollback(0, T0), null);
        assertEquals(List.of(0L), loaded, "replay reads the version's snapshot");
        assertSame(restored, machine.model());
        assertEquals(seq, machine.version());

        Model preloaded = new Model(Learners.create(new ModelSpec("ht", 1), schema), AbstentionSettings.DEFAULTS);
        machine.apply(++seq, new LogRecord.Rollback(0, T0), preloaded);
        assertEquals(1, loaded.size(), "a live rollback read it already");
        assertSame(preloaded, machine.model());
    }

    @Test
    void score_withACanary_answersItsShareFromTheCanaryAndStoresBothAnswers() {
        ModelStateMachine machine = fresh("ht", new Counting());
        long seq = apply(machine, 0, scoreAndLabel(machine, 0, 300));
        machine.apply(++seq, new LogRecord.ChallengerAdded("half", "nb", 1, "canary", 0.5, 0, 0, T0), null);
        List<String> ids = new ArrayList<>();
        List<Instance> batch = new ArrayList<>();
        for (int i = 300; i < 700; i++) {
            ids.add("c" + i);
            batch.add(unlabelled(i));
        }
        ModelStateMachine.Scores scores = machine.score(requests(ids, batch), T0);
        long byCanary = scores.answers().stream().filter(s -> "half".equals(s.answeredBy())).count();
        assertTrue(byCanary > 150 && byCanary < 250, "about half: " + byCanary);
        for (int i = 0; i < ids.size(); i++) {
            Scored answer = scores.answers().get(i);
            assertEquals(answer.answeredBy().equals(Scored.CHAMPION) ? null : "half", scores.stored().get(i).event().answeredBy());
            assertTrue(scores.stored().get(i).event().shadow("half") != null, "the canary's answer is stored for every event");
        }
        Prediction champion = scores.stored().get(0).event().answer().prediction();
        assertEquals(machine.model().predict(batch.get(0)).label(), champion.label(), "the champion's own answer is kept");
    }

    /** Counts what the meters would hear. */
    private static final class Counting implements ModelStateMachine.Listener {
        int learned;
        int failed;
        int inputChecks;

        @Override
        public void learned() {
            learned++;
        }

        @Override
        public void learnFailed() {
            failed++;
        }

        @Override
        public void inputsChecked(InputDriftMonitor.Check check) {
            inputChecks++;
        }
    }
}
