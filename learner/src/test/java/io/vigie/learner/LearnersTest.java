package io.vigie.learner;

import com.yahoo.labs.samoa.instances.Instance;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.MethodSource;

import java.nio.file.Path;
import java.time.Clock;
import java.time.Instant;
import java.time.ZoneOffset;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.stream.Stream;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * One contract, every preset: determinism, snapshot round trip, untouched input, the seed. The
 * presets come from {@link ModelSpec#PRESETS}, so a new one is tested the moment it exists; the
 * few that cannot meet a clause are named below with the reason.
 */
class LearnersTest {
    private static final Clock FIXED = Clock.fixed(Instant.parse("2026-01-02T03:04:05Z"), ZoneOffset.UTC);
    /** Presets that cannot be snapshotted, and why. */
    private static final Map<String, String> NOT_SERIALIZABLE = Map.of(
            "srp", "MOA's StreamingRandomPatches keeps members of a class that is not Serializable (patches is Vigie's own, which is)");
    /** Presets that draw no randomness, so their seed changes nothing (which the seed test checks too). */
    private static final Set<String> DETERMINISTIC = Set.of("ht", "hat", "nb", "nochange", "majority");

    static Stream<String> presets() {
        return ModelSpec.PRESETS.keySet().stream().sorted();
    }

    static Stream<String> serializablePresets() {
        return presets().filter(p -> !NOT_SERIALIZABLE.containsKey(p));
    }

    @TempDir
    Path tmp;

    /** A learner of the spec that has learned the stream's next {@code events} events. */
    private static Learner trained(ModelSpec spec, GeneratedStream stream, int events) {
        Learner learner = Learners.create(spec, stream.schema());
        for (int i = 0; i < events; i++) {
            learner.learn(stream.nextInstance());
        }
        return learner;
    }

    @ParameterizedTest
    @MethodSource("presets")
    void sameSpecSameStream_givesIdenticalPredictions(String preset) {
        assertTrue(run(new ModelSpec(preset, 7), 3000).equals(run(new ModelSpec(preset, 7), 3000)),
                "two runs of " + preset + " with seed 7 differ");
    }

    @ParameterizedTest
    @MethodSource("serializablePresets")
    void snapshotRoundTrip_continuesExactlyAsTheOriginal(String preset) {
        GeneratedStream stream = new GeneratedStream(2, 3, 4000);
        Learner original = trained(new ModelSpec(preset, 5), stream, 2000);
        Path file = tmp.resolve(preset + ".snapshot");
        Snapshots.write(file, original, Map.of("offset", "2000"), FIXED);
        Learner restored = Snapshots.read(file).learner();
        assertEquals(original.learned(), restored.learned());
        while (stream.hasNext()) {
            Instance next = stream.nextInstance();
            assertEquals(original.predictProba(next), restored.predictProba(next));
            original.learn(next);
            restored.learn(next);
        }
    }

    @ParameterizedTest
    @MethodSource("presets")
    void learn_leavesItsInputUnchanged(String preset) {
        GeneratedStream stream = new GeneratedStream(1, 1, 500);
        Learner learner = Learners.create(ModelSpec.of(preset), stream.schema());
        while (stream.hasNext()) {
            Instance instance = stream.nextInstance();
            double[] before = instance.toDoubleArray().clone();
            learner.predictProba(instance);
            learner.learn(instance);
            assertTrue(Arrays.equals(before, instance.toDoubleArray()));
        }
    }

    @ParameterizedTest
    @MethodSource("presets")
    void seed_changesRandomizedLearnersOnly(String preset) {
        List<ClassProbabilities> one = run(new ModelSpec(preset, 1), 3000);
        List<ClassProbabilities> two = run(new ModelSpec(preset, 2), 3000);
        if (DETERMINISTIC.contains(preset)) {
            assertEquals(one, two, preset + " draws no randomness, yet seeds 1 and 2 differ");
        } else {
            assertTrue(!one.equals(two), "seeds 1 and 2 gave identical predictions for " + preset
                    + " (if it draws no randomness, list it in DETERMINISTIC)");
        }
    }

    @ParameterizedTest
    @MethodSource("serializablePresets")
    void predictsWithoutChange_holds_byteForByte(String preset) {
        GeneratedStream stream = new GeneratedStream(2, 5, 2100);
        Learner learner = trained(new ModelSpec(preset, 3), stream, 2000);
        if (!learner.predictsWithoutChange()) {
            return; // it makes no claim: the service serializes it on its writer thread
        }
        byte[] before = serialized(learner);
        while (stream.hasNext()) {
            learner.predictProba(stream.nextInstance());
        }
        assertTrue(Arrays.equals(before, serialized(learner)), preset + " claims its predictions change nothing, yet they did");
    }

    private static byte[] serialized(Learner learner) {
        java.io.ByteArrayOutputStream bytes = new java.io.ByteArrayOutputStream();
        try (java.io.ObjectOutputStream out = new java.io.ObjectOutputStream(bytes)) {
            out.writeObject(learner);
        } catch (java.io.IOException e) {
            throw new java.io.UncheckedIOException(e);
        }
        return bytes.toByteArray();
    }

    @Test
    void everyServablePreset_predictsWithoutChange() {
        Schema schema = new GeneratedStream(1, 1, 1).schema();
        for (String preset : ModelSpec.PRESETS.keySet()) {
            if (!NOT_SERIALIZABLE.containsKey(preset)) {
                assertTrue(Learners.create(ModelSpec.of(preset), schema).predictsWithoutChange(),
                        preset + ": the service would serialize it on its writer, making predictions wait");
            }
        }
    }

    @Test
    void notSerializable_namesOnlyPresetsThatReallyFailToSnapshot() {
        GeneratedStream stream = new GeneratedStream(1, 1, 100);
        for (String preset : NOT_SERIALIZABLE.keySet()) {
            Learner learner = Learners.create(ModelSpec.of(preset), stream.schema());
            learner.learn(stream.nextInstance());
            assertThrows(SnapshotException.class, () -> Snapshots.write(tmp.resolve(preset), learner, Map.of(), FIXED), preset);
        }
    }

    @Test
    void canonicalCli_resolvesThePreset() {
        String cli = Learners.canonicalCli(new ModelSpec("arf", 42));
        assertTrue(cli.startsWith(AdaptiveForest.class.getName()), cli);
        assertTrue(cli.contains("-s 10"), cli);
    }

    @Test
    void create_acceptsAnyMoaClassifierString() {
        Learner learner = Learners.create(ModelSpec.of("trees.HoeffdingTree -g 50"), new GeneratedStream(1, 1, 1).schema());
        assertTrue(Learners.canonicalCli(learner.spec()).contains("-g 50"));
    }

    @Test
    void create_rejectsUnknownOrUnsafeModelsClearly() {
        Schema schema = new GeneratedStream(1, 1, 1).schema();
        ModelSpecException unknown = assertThrows(ModelSpecException.class, () -> Learners.create(ModelSpec.of("forest"), schema));
        assertTrue(unknown.getMessage().contains("ht, hat, arf"), unknown.getMessage());
        ModelSpecException foreign = assertThrows(ModelSpecException.class,
                () -> Learners.create(ModelSpec.of("java.lang.Runtime"), schema));
        assertTrue(foreign.getMessage().contains("moa.classifiers.java.lang.Runtime"), foreign.getMessage());
        ModelSpecException badOption = assertThrows(ModelSpecException.class,
                () -> Learners.create(ModelSpec.of("trees.HoeffdingTree -Z 3"), schema));
        assertTrue(badOption.getMessage().contains("MOA rejected"), badOption.getMessage());
        assertThrows(ModelSpecException.class, () -> Learners.create(ModelSpec.of("core.Utils"), schema));
        assertThrows(ModelSpecException.class, () -> ModelSpec.of(" "));
    }

    @Test
    void state_describesTreesAndEnsembleMembers() {
        GeneratedStream stream = new GeneratedStream(1, 1, 5000);
        Learner hat = Learners.create(ModelSpec.of("hat"), stream.schema());
        Learner arf = Learners.create(ModelSpec.of("arf"), stream.schema());
        while (stream.hasNext()) {
            Instance instance = stream.nextInstance();
            hat.learn(instance);
            arf.learn(instance);
        }
        ModelState tree = hat.state();
        assertEquals(5000, tree.learned());
        assertTrue(tree.measurements().get("tree size (nodes)") > 1, tree.measurements().toString());
        assertTrue(tree.measurements().get("tree depth") >= 1);
        assertTrue(tree.measurements().containsKey("alternateTrees"));
        assertTrue(tree.members().isEmpty());
        assertTrue(tree.serializedBytes() > 1000);

        ModelState forest = arf.state();
        assertEquals(10, forest.members().size());
        for (ModelState.Member member : forest.members()) {
            assertTrue(member.drifts() >= 0 && member.warnings() >= 0, member.toString());
            assertTrue(member.measurements().get("tree size (leaves)") >= 1, member.toString());
        }
        assertTrue(forest.serializedBytes() > tree.serializedBytes());
    }

    private static List<ClassProbabilities> run(ModelSpec spec, int events) {
        GeneratedStream stream = new GeneratedStream(3, 11, events);
        Learner learner = Learners.create(spec, stream.schema());
        List<ClassProbabilities> predictions = new ArrayList<>();
        while (stream.hasNext()) {
            Instance instance = stream.nextInstance();
            predictions.add(learner.predictProba(instance));
            learner.learn(instance);
        }
        return predictions;
    }
}
