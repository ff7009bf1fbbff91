package io.vigie.learner;

import com.yahoo.labs.samoa.instances.Instance;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

import java.nio.file.Path;
import java.time.Clock;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

class ExpertCommitteeTest {
    /** Light experts keep the tests fast; the default committee adds the forests. */
    private static final String LIGHT = "committee -e ht,hat,nb,nochange";

    @TempDir
    Path tmp;

    /** Runs test-then-train and returns every prediction. */
    private static List<Prediction> run(Model model, EventStream stream) {
        List<Prediction> predictions = new ArrayList<>();
        while (stream.hasNext()) {
            Instance instance = stream.next().instance();
            Prediction p = model.predict(instance);
            predictions.add(p);
            model.learn(instance, p);
        }
        return predictions;
    }

    private static Model committee(String spec, EventStream stream) {
        return new Model(Learners.create(new ModelSpec(spec, 4), stream.schema()), AbstentionSettings.DEFAULTS);
    }

    @ParameterizedTest
    @ValueSource(strings = {"adwin", "page-hinkley", "ddm"})
    void resets_happenSoonAfterAnAbruptDrift(String detector) {
        EventStream stream = DriftStreams.agrawal(1, 4, 10_000, 20_000);
        Model model = committee(LIGHT + " -d " + detector, stream);
        run(model, stream);
        List<DriftReset> resets = model.learner().state().resets();
        assertTrue(resets.stream().anyMatch(r -> r.at() >= 10_000 && r.at() <= 11_500),
                detector + " reset nothing within 1,500 events of the drift at 10,000: " + resets);
        for (DriftReset reset : resets) {
            assertEquals(detector, reset.detector());
            assertTrue(reset.accuracyBefore() >= 0 && reset.accuracyBefore() <= 1, reset.toString());
        }
    }

    @Test
    void resets_doNotHappenOnAStationaryStream() {
        EventStream stream = DriftStreams.agrawal(1, 1, 10_000, 20_000);
        Model model = committee(LIGHT, stream);
        run(model, stream);
        assertEquals(List.of(), model.learner().state().resets());
    }

    @Test
    void sameSeed_givesTheSameResetsAndPredictions() {
        EventStream a = DriftStreams.agrawal(2, 5, 5_000, 10_000);
        EventStream b = DriftStreams.agrawal(2, 5, 5_000, 10_000);
        Model first = committee(LIGHT, a);
        Model second = committee(LIGHT, b);
        List<Prediction> one = run(first, a);
        List<Prediction> two = run(second, b);
        assertTrue(one.equals(two), "predictions differ between two runs with the same seed");
        assertEquals(first.learner().state().resets(), second.learner().state().resets());
    }

    @Test
    void snapshot_roundTripsToIdenticalPredictions() {
        EventStream stream = DriftStreams.agrawal(1, 4, 3_000, 8_000);
        Learner original = Learners.create(new ModelSpec(LIGHT, 9), stream.schema());
        List<Instance> rest = new ArrayList<>();
        int seen = 0;
        while (stream.hasNext()) {
            Instance instance = stream.next().instance();
            if (seen++ < 5_000) {
                original.learn(instance);
            } else {
                rest.add(instance);
            }
        }
        Path file = tmp.resolve("committee.snapshot");
        Snapshots.write(file, original, Map.of(), Clock.systemUTC());
        Learner restored = Snapshots.read(file).learner();
        assertEquals(original.state().resets(), restored.state().resets());
        for (Instance instance : rest) {
            assertEquals(original.predictProba(instance), restored.predictProba(instance));
            original.learn(instance);
            restored.learn(instance);
        }
    }

    /** Two experts of one randomized kind would be one expert twice if they shared a seed. */
    @Test
    void experts_drawIndependentRandomness() {
        EventStream stream = DriftStreams.agrawal(1, 1, 1, 2_000);
        Ensemble committee = (Ensemble) Learners.create(new ModelSpec("committee -e levbag,levbag", 3), stream.schema());
        List<Instance> probes = new ArrayList<>();
        while (stream.hasNext()) {
            Instance instance = stream.next().instance();
            committee.learn(instance);
            probes.add(instance);
        }
        long differing = probes.stream().filter(i -> {
            List<ClassProbabilities> members = committee.memberProba(i);
            return !members.get(0).equals(members.get(1));
        }).count();
        assertTrue(differing > probes.size() / 10, "the two leveraging-bagging experts differ on only " + differing + " events");
    }

    @Test
    void weights_followTheExpertThatIsRight() {
        EventStream stream = DriftStreams.agrawal(1, 1, 1, 5_000);
        Model model = committee("committee -e hat,majority", stream);
        run(model, stream);
        ModelState state = model.learner().state();
        double tree = state.members().get(0).weight();
        double majority = state.members().get(1).weight();
        assertTrue(tree > 0.9 && majority < 0.1, "hat " + tree + ", majority " + majority);
        assertEquals(2, state.members().size());
        assertTrue(state.members().get(0).recentAccuracy() > 0.85, state.members().toString());
    }

    /**
     * Where a class is rare, an expert that never names it loses little by plain mistakes;
     * balanced mistakes weigh the rare class's misses up, so the expert that finds some of them
     * gains more weight against it.
     */
    @Test
    void balancedMistakes_weighTheExpertThatFindsTheRareClassUp() {
        double plain = weightOfTheFirst("committee -e ht,majority -d none");
        double balanced = weightOfTheFirst("committee -e ht,majority -d none -c balanced");
        assertTrue(balanced > plain + 0.1, "ht weighs " + plain + " plain, " + balanced + " balanced");
        assertEquals("committee -e ht,majority -p weighted -d none -w 500 -b 500 -l 0.15 -s 0.003 -c balanced",
                Learners.canonicalCli(ModelSpec.of("committee -e ht,majority -d none -c balanced")));
    }

    /** The first expert's weight after 20,000 events of Agrawal (function 1) keeping one class-1 event in ten. */
    private static double weightOfTheFirst(String spec) {
        EventStream agrawal = DriftStreams.agrawal(1, 1, 1, 40_000);
        java.util.Random keep = new java.util.Random(2);
        Model model = new Model(Learners.create(new ModelSpec(spec, 4), agrawal.schema()), AbstentionSettings.DEFAULTS);
        int ones = 0;
        int seen = 0;
        while (agrawal.hasNext() && seen < 20_000) {
            Instance instance = agrawal.next().instance();
            boolean one = instance.classValue() == 1;
            if (one && keep.nextInt(10) > 0) {
                continue;
            }
            ones += one ? 1 : 0;
            seen++;
            model.learn(instance, model.predict(instance));
        }
        assertTrue(ones > 200 && ones < seen / 5, ones + " of " + seen + " in class 1");
        return model.learner().state().members().get(0).weight();
    }

    @Test
    void bestExpert_answersWithTheHeaviestExpert() {
        EventStream stream = DriftStreams.agrawal(1, 1, 1, 3_000);
        Ensemble committee = (Ensemble) Learners.create(ModelSpec.of("committee -e hat,majority -p best-expert"), stream.schema());
        Model model = new Model(committee, AbstentionSettings.DEFAULTS);
        run(model, stream);
        EventStream probe = DriftStreams.agrawal(1, 1, 1, 200);
        while (probe.hasNext()) {
            Instance instance = probe.next().instance();
            assertEquals(committee.memberProba(instance).get(0), committee.predictProba(instance));
        }
    }

    @Test
    void disagreement_isReportedForCommittees() {
        EventStream stream = DriftStreams.agrawal(1, 1, 1, 2_000);
        List<Prediction> predictions = run(committee(LIGHT, stream), stream);
        assertTrue(predictions.stream().allMatch(p -> p.memberLabels().size() == 4));
        assertTrue(predictions.stream().anyMatch(p -> p.uncertainty().disagreement() > 0));
        assertTrue(predictions.stream().anyMatch(p -> p.uncertainty().disagreement() == 0));
    }

    @Test
    void spec_rejectsBadOptionsClearly() {
        Schema schema = DriftStreams.agrawal(1, 1, 1, 1).schema();
        for (String bad : List.of("committee -e hat", "committee -p vote", "committee -d eddm", "committee -w 0",
                "committee -x 1", "committee -e hat,,nb", "committee -l", "committee -e hat,forest")) {
            assertThrows(ModelSpecException.class, () -> Learners.create(ModelSpec.of(bad), schema), bad);
        }
        assertEquals("committee -e ht,nb -p weighted -d adwin -w 500 -b 500 -l 0.15 -s 0.003",
                Learners.canonicalCli(ModelSpec.of("committee -e ht,nb")));
    }
}
