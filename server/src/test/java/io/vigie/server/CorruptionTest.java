package io.vigie.server;

import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.io.RandomAccessFile;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.util.List;
import java.util.Random;
import java.util.stream.Stream;

import static io.vigie.server.TestService.expect;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * Damaged files at start-up: a truncated snapshot, a snapshot with a flipped byte and garbage at
 * the end of the log are detected, moved aside and reported, and the model comes back from the
 * last good snapshot and the log, exactly as it was.
 */
class CorruptionTest {
    @TempDir
    Path dataDir;

    @Test
    void damagedSnapshotsAndATornLogTail_areSetAside_andTheModelComesBackWhole() throws Exception {
        JsonObject config = new JsonObject().put("snapshot_every", 400);
        Random random = new Random(21);
        JsonObject probes = new JsonObject().put("events", new JsonArray());
        for (int i = 0; i < 50; i++) {
            probes.getJsonArray("events").add(new JsonObject().put("id", "probe" + i).put("features", ServiceApiTest.features(random)));
        }
        JsonArray answers;
        try (TestService service = new TestService(dataDir, config)) {
            expect(201, service.post("/v1/models", ServiceApiTest.modelRequest("cards", "hat")));
            for (int b = 0; b < 10; b++) {
                JsonArray events = new JsonArray();
                for (int i = 0; i < 100; i++) {
                    JsonObject f = ServiceApiTest.features(random);
                    events.add(new JsonObject().put("id", "e" + b + "-" + i).put("features", f).put("label", ServiceApiTest.truth(f)));
                }
                expect(202, service.post("/v1/models/cards/events", new JsonObject().put("events", events)));
            }
            answers = expect(200, service.post("/v1/models/cards/predict/batch", probes)).getJsonArray("predictions");
        } // a clean stop: a snapshot of version 1000

        Path model = dataDir.resolve("models").resolve("cards");
        List<Path> snapshots;
        try (Stream<Path> files = Files.list(model.resolve("versions"))) {
            snapshots = files.filter(f -> f.toString().endsWith(".snapshot")).sorted().toList();
        }
        assertTrue(snapshots.size() >= 3, "snapshots: " + snapshots);
        Path newest = snapshots.get(snapshots.size() - 1);
        Path second = snapshots.get(snapshots.size() - 2);
        long good = version(snapshots.get(snapshots.size() - 3));
        try (RandomAccessFile file = new RandomAccessFile(newest.toFile(), "rw")) {
            file.setLength(file.length() / 2); // truncated
        }
        try (RandomAccessFile file = new RandomAccessFile(second.toFile(), "rw")) {
            long middle = file.length() / 2;
            file.seek(middle);
            int b = file.read();
            file.seek(middle);
            file.write(b ^ 0x20); // one flipped bit
        }
        byte[] garbage = new byte[37];
        random.nextBytes(garbage);
        Files.write(model.resolve("log/00000000000000000000.log"), garbage, StandardOpenOption.APPEND); // a torn write

        try (TestService restarted = new TestService(dataDir, config)) {
            JsonObject state = expect(200, restarted.get("/v1/models/cards"));
            assertEquals(1000, state.getLong("learned"), "nothing acknowledged is lost");
            JsonObject recovery = state.getJsonObject("recovery");
            assertEquals(good, recovery.getLong("snapshot"), "the newest snapshot that reads back whole");
            assertEquals(new JsonArray().add(version(newest)).add(version(second)), recovery.getJsonArray("unreadable_snapshots"));
            assertEquals(1000 - good, recovery.getLong("replayed"));
            assertEquals(37, recovery.getLong("torn_bytes"));
            assertEquals(answers, expect(200, restarted.post("/v1/models/cards/predict/batch?replace=true", probes)).getJsonArray("predictions"),
                    "the model of the run that stopped, exactly");
            JsonArray versions = expect(200, restarted.get("/v1/models/cards/versions")).getJsonArray("versions");
            assertTrue(versions.stream().noneMatch(v -> ((JsonObject) v).getLong("version") == version(second)),
                    "a damaged snapshot is no longer a version to roll back to");
            assertTrue(Files.exists(newest.resolveSibling(newest.getFileName() + ".unreadable")));
            try (Stream<Path> files = Files.list(model.resolve("log"))) {
                assertTrue(files.anyMatch(f -> f.getFileName().toString().startsWith("00000000000000000000.log.torn-")), "the torn tail is kept aside");
            }
            JsonObject f = ServiceApiTest.features(random);
            JsonObject next = expect(202, restarted.post("/v1/models/cards/events", new JsonObject().put("id", "after")
                    .put("features", f).put("label", ServiceApiTest.truth(f))));
            assertEquals(1001, next.getLong("version"), "the log goes on after the cut");
        }
    }

    private static long version(Path snapshot) {
        String name = snapshot.getFileName().toString();
        return Long.parseLong(name.substring(0, name.indexOf('.')));
    }
}
