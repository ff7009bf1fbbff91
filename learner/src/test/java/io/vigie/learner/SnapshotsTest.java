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
}
