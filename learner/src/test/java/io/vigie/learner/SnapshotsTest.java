package io.vigie.learner;

import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Clock;
import java.time.Instant;
import java.time.ZoneOffset;
import java.util.Arrays;
import java.util.Map;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

class SnapshotsTest {
    private static final Clock FIXED = Clock.fixed(Instant.parse("2026-01-02T03:04:05Z"), ZoneOffset.UTC);

    @TempDir
    Path tmp;
    Path file;
    Learner learner;

    @BeforeEach
    void writeOne() {
        GeneratedStream stream = new GeneratedStream(1, 1, 1000);
        learner = Learners.create(new ModelSpec("hat", 9), stream.schema());
        while (stream.hasNext()) {
            learner.learn(stream.nextInstance());
        }
        file = tmp.resolve("model.snapshot");
        Snapshots.write(file, learner, Map.of("log.offset", "1000", "accuracy", "0.93"), FIXED);
    }

    @Test
    void read_returnsTheProvenanceThatWasWritten() {
        SnapshotProvenance provenance = Snapshots.read(file).provenance();
        assertEquals(new ModelSpec("hat", 9), provenance.spec());
        assertEquals(learner.schema().fingerprint(), provenance.schemaFingerprint());
        assertEquals(1000, provenance.learned());
        assertEquals(FIXED.instant(), provenance.createdAt());
        assertEquals(System.getProperty("java.version"), provenance.javaVersion());
        assertEquals(Map.of("log.offset", "1000", "accuracy", "0.93"), provenance.attributes());
        assertFalse(Files.exists(tmp.resolve("model.snapshot.tmp")), "the temporary file was renamed away");
    }

    @Test
    void read_refusesAFlippedByteAnywhere() throws IOException {
        byte[] bytes = Files.readAllBytes(file);
        for (int position : new int[]{20, bytes.length / 2, bytes.length - 3}) {
            byte[] corrupt = bytes.clone();
            corrupt[position] ^= 0x10;
            Files.write(file, corrupt);
            SnapshotException e = assertThrows(SnapshotException.class, () -> Snapshots.read(file));
            assertTrue(e.getMessage().contains("corrupt") || e.getMessage().contains("truncated"), e.getMessage());
        }
    }

    @Test
    void read_refusesATruncatedFile() throws IOException {
        byte[] bytes = Files.readAllBytes(file);
        for (int length : new int[]{10, 100, bytes.length / 2, bytes.length - 1}) {
            Files.write(file, Arrays.copyOf(bytes, length));
            SnapshotException e = assertThrows(SnapshotException.class, () -> Snapshots.read(file));
            assertTrue(e.getMessage().contains("truncated") || e.getMessage().contains("corrupt"), e.getMessage());
        }
    }

    @Test
    void read_refusesOtherFilesAndNewerFormats() throws IOException {
        Files.writeString(file, "@relation elec2\n");
        assertTrue(assertThrows(SnapshotException.class, () -> Snapshots.read(file)).getMessage().contains("not a Vigie snapshot"));

        byte[] newer = ByteBuffer.allocate(12).put("VIGIESNP".getBytes()).putInt(Snapshots.FORMAT_VERSION + 1).array();
        Files.write(file, newer);
        assertTrue(assertThrows(SnapshotException.class, () -> Snapshots.read(file)).getMessage().contains("format version"));

        assertTrue(assertThrows(SnapshotException.class, () -> Snapshots.read(tmp.resolve("absent")))
                .getMessage().contains("does not exist"));
    }

    @Test
    void aModelRoundTrip_keepsItsCalibrationAndItsOwnersState() {
        GeneratedStream stream = new GeneratedStream(2, 3, 4000);
        Model original = new Model(Learners.create(new ModelSpec("committee -e hat,nb", 5), stream.schema()),
                AbstentionSettings.DEFAULTS.withTargetCoverage(0.8));
        for (int i = 0; i < 2000; i++) {
            original.learnUnscored(stream.nextInstance());
        }
        Snapshots.write(file, original, new java.util.ArrayList<>(java.util.List.of("offset", "2000")), Map.of(), FIXED);
        Snapshot snapshot = Snapshots.read(file);
        Model restored = snapshot.model();
        assertEquals(java.util.List.of("offset", "2000"), snapshot.state());
        assertEquals(0.8, restored.settings().targetCoverage());
        while (stream.hasNext()) {
            com.yahoo.labs.samoa.instances.Instance labelled = stream.nextInstance();
            Prediction a = original.learnUnscored(labelled);
            Prediction b = restored.learnUnscored(labelled);
            assertEquals(a.probabilities(), b.probabilities());
            assertEquals(a.predictionSet(), b.predictionSet(), "the conformal threshold came back too");
            assertEquals(a.reason(), b.reason());
        }
    }

    /** A snapshot whose owner state is {@code state}, with a valid checksum: what a crafted file looks like. */
    private Path crafted(java.io.Serializable state) {
        Model model = new Model(learner, AbstentionSettings.DEFAULTS);
        Path crafted = tmp.resolve("crafted.snapshot");
        Snapshots.save(crafted, Snapshots.encode(model, state, Snapshots.provenance(model, Map.of(), FIXED)));
        return crafted;
    }

    /** Rewrites a file's checksum (its last 8 bytes: CRC32C of the rest), as a forger would after editing it. */
    private static void resign(Path file, byte[] bytes) throws IOException {
        java.util.zip.CRC32C crc = new java.util.zip.CRC32C();
        crc.update(bytes, 0, bytes.length - 8);
        ByteBuffer.wrap(bytes).putLong(bytes.length - 8, crc.getValue());
        Files.write(file, bytes);
    }

    @Test
    void read_refusesAnArrayLongerThanItsBytes_beforeAllocatingIt() throws IOException {
        Path forged = crafted(new long[]{7, 7, 7});
        byte[] bytes = Files.readAllBytes(forged);
        // the serialized long[] holds its length, 3, right before its three elements: claim 2^31 - 1
        byte[] three = ByteBuffer.allocate(4 + 24).putInt(3).putLong(7).putLong(7).putLong(7).array();
        int at = indexOf(bytes, three);
        assertTrue(at > 0, "the array is in the file");
        ByteBuffer.wrap(bytes).putInt(at, Integer.MAX_VALUE);
        resign(forged, bytes);
        SnapshotException e = assertThrows(SnapshotException.class, () -> Snapshots.read(forged));
        assertTrue(e.getMessage().contains("filter"), e.getMessage());
    }

    @Test
    void read_refusesGraphsTooDeep_andClassesModelsDoNotHold() throws IOException {
        java.util.LinkedList<Object> nested = new java.util.LinkedList<>();
        for (int level = 0; level < Snapshots.MAX_DEPTH + 10; level++) {
            java.util.LinkedList<Object> outer = new java.util.LinkedList<>();
            outer.add(nested);
            nested = outer;
        }
        Path deep = crafted(nested);
        assertTrue(assertThrows(SnapshotException.class, () -> Snapshots.read(deep)).getMessage().contains("filter"));
        Path set = crafted(new java.util.HashSet<>(java.util.List.of("a")));
        assertTrue(assertThrows(SnapshotException.class, () -> Snapshots.read(set)).getMessage().contains("filter"));
        Path shallow = crafted(new java.util.HashMap<>(Map.of("a", 1)));
        assertEquals(Map.of("a", 1), Snapshots.read(shallow).state(), "a map where models keep theirs reads");
    }

    private static int indexOf(byte[] haystack, byte[] needle) {
        for (int i = 0; i + needle.length <= haystack.length; i++) {
            if (Arrays.equals(haystack, i, i + needle.length, needle, 0, needle.length)) {
                return i;
            }
        }
        return -1;
    }
}
