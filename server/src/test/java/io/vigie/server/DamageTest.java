package io.vigie.server;

import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;
import io.vigie.learner.Snapshot;
import io.vigie.learner.Snapshots;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.io.IOException;
import java.io.RandomAccessFile;
import java.io.Serializable;
import java.nio.ByteBuffer;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Arrays;
import java.util.Random;
import java.util.stream.Stream;
import java.util.zip.CRC32C;

import static io.vigie.server.TestService.expect;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * Damaged files at start-up, each as an operator could find them after a crash or a bad disk: the
 * damaged model is stopped and reported, the others serve, and nothing acknowledged is lost
 * without a word.
 */
class DamageTest {
    @TempDir
    Path dataDir;
    private final Random random = new Random(5);

    private Path model(String name) {
        return dataDir.resolve("models").resolve(name);
    }

    /** Labels {@code n} events of model {@code name}, scored first and labelled in batches of 100. */
    private void scoreAndLabel(TestService service, String name, String prefix, int n) throws Exception {
        for (int b = 0; b < n; b += 100) {
            JsonArray events = new JsonArray();
            JsonArray labels = new JsonArray();
            for (int i = b; i < Math.min(n, b + 100); i++) {
                JsonObject f = ServiceApiTest.features(random);
                events.add(new JsonObject().put("id", prefix + i).put("features", f));
                labels.add(new JsonObject().put("id", prefix + i).put("label", ServiceApiTest.truth(f)));
            }
            expect(200, service.post("/v1/models/" + name + "/predict/batch", new JsonObject().put("events", events)));
            expect(202, service.post("/v1/models/" + name + "/labels", new JsonObject().put("labels", labels)));
        }
    }

    /** Leaves only the snapshots up to {@code version}: as a kill -9 leaves a model that had taken none since. */
    private void keepSnapshotsUpTo(String name, long version) throws IOException {
        try (Stream<Path> files = Files.list(model(name).resolve("versions"))) {
            for (Path file : files.toList()) {
                if (Long.parseLong(file.getFileName().toString().substring(0, 20)) > version) {
                    Files.delete(file);
                }
            }
        }
    }

    private static void flipAByte(Path file, long at) throws IOException {
        try (RandomAccessFile f = new RandomAccessFile(file.toFile(), "rw")) {
            f.seek(at);
            int b = f.read();
            f.seek(at);
            f.write(b ^ 0x04);
        }
    }

    @Test
    void aBitFlippedMidLog_stopsThatModelLoudly_andRepairBringsItBackWithoutTheLostLabel() throws Exception {
        try (TestService service = new TestService(dataDir)) {
            expect(201, service.post("/v1/models", ServiceApiTest.modelRequest("a", "hat")));
            expect(201, service.post("/v1/models", ServiceApiTest.modelRequest("b", "nb")));
            scoreAndLabel(service, "a", "a", 2_000);
            scoreAndLabel(service, "b", "b", 200);
        }
        keepSnapshotsUpTo("a", 0); // recovery replays the whole log
        Path log = model("a").resolve("log/00000000000000000000.log");
        long size = Files.size(log);
        flipAByte(log, size / 2);

        try (TestService service = new TestService(dataDir)) {
            JsonArray listed = expect(200, service.get("/v1/models")).getJsonArray("models");
            JsonObject a = listed.stream().map(JsonObject.class::cast).filter(m -> m.getString("name").equals("a")).findFirst().orElseThrow();
            assertEquals("failed", a.getString("status"));
            assertTrue(a.getString("failure").contains("damaged at byte"), a.getString("failure"));
            assertFalse(a.getString("failure").contains(dataDir.toString()), "no absolute path in an answer");
            JsonObject ready = expect(200, service.send("GET", "/health/ready", null, null));
            assertEquals(new JsonArray().add("a"), ready.getJsonArray("failed"));
            assertTrue(service.send("GET", "/metrics", null, null).body().contains("vigie_model_failed{model=\"a\"} 1.0"));
            assertEquals(503, service.get("/v1/models/a").statusCode());
            assertEquals(200, service.post("/v1/models/b/predict", new JsonObject().put("id", "x")
                    .put("features", ServiceApiTest.features(random))).statusCode(), "the other model serves");
        }
        assertEquals(size, Files.size(log), "nothing acknowledged was cut");

        RepairCommand.main(new String[]{"--data-dir", dataDir.toString(), "--model", "a"});
        try (TestService service = new TestService(dataDir)) {
            JsonObject a = expect(200, service.get("/v1/models/a"));
            assertEquals(2_000, a.getLong("version"), "every version keeps its number");
            assertEquals(1_999, a.getLong("learned"), "all but the damaged record");
            JsonArray markers = expect(200, service.get("/v1/models/a/timeline")).getJsonArray("markers");
            String lost = markers.stream().map(JsonObject.class::cast).filter(m -> m.getString("kind").equals("lost_record"))
                    .findFirst().orElseThrow().getString("detail");
            assertTrue(lost.startsWith("a"), "the lost record's id, read from its bytes: " + lost);
            JsonObject again = expect(202, service.post("/v1/models/a/labels", new JsonObject().put("id", lost).put("label", "ok")));
            assertEquals(2_001, again.getLong("version"), "its label can be sent again, not refused as a duplicate");
        }
    }

    @Test
    void aTornTailOver64MiB_isKeptAsideWhole() throws Exception {
        try (TestService service = new TestService(dataDir)) {
            expect(201, service.post("/v1/models", ServiceApiTest.modelRequest("a", "nb")));
            scoreAndLabel(service, "a", "a", 200);
        }
        Path log = model("a").resolve("log/00000000000000000000.log");
        long good = Files.size(log);
        byte[] garbage = new byte[70 << 20];
        random.nextBytes(garbage);
        Files.write(log, garbage, java.nio.file.StandardOpenOption.APPEND);
        try (TestService service = new TestService(dataDir)) {
            JsonObject recovery = expect(200, service.get("/v1/models/a")).getJsonObject("recovery");
            assertEquals(garbage.length, recovery.getLong("torn_bytes"));
        }
        assertEquals(good, Files.size(log));
        Path aside = model("a").resolve("log/00000000000000000000.log.torn-" + good);
        assertEquals(garbage.length, Files.size(aside), "the whole cut region is kept");
        assertTrue(Arrays.equals(garbage, Files.readAllBytes(aside)));
    }

    @Test
    void aDamagedRollbackTarget_afterACrash_failsThatModelOnly() throws Exception {
        try (TestService service = new TestService(dataDir)) {
            expect(201, service.post("/v1/models", ServiceApiTest.modelRequest("a", "hat")));
            expect(201, service.post("/v1/models", ServiceApiTest.modelRequest("b", "nb")));
            scoreAndLabel(service, "a", "a", 300);
            long target = expect(201, service.post("/v1/models/a/versions", new JsonObject())).getLong("version");
            scoreAndLabel(service, "a", "x", 200);
            expect(200, service.post("/v1/models/a/rollback", new JsonObject().put("version", target)));
            scoreAndLabel(service, "a", "y", 100);
            scoreAndLabel(service, "b", "b", 100);
        }
        keepSnapshotsUpTo("a", 300);
        Path target = model("a").resolve("versions").resolve(String.format("%020d.snapshot", 300));
        flipAByte(target, Files.size(target) / 2);
        try (TestService service = new TestService(dataDir)) {
            JsonObject problem = new JsonObject(service.get("/v1/models/a").body());
            assertEquals(503, problem.getInteger("status"));
            assertTrue(problem.getString("detail").contains("could not be opened"), problem.getString("detail"));
            assertEquals(100, expect(200, service.get("/v1/models/b")).getLong("learned"), "the other model serves");
        }
    }

    @Test
    void craftedSnapshots_areSetAside_andTheModelComesBackFromTheLog() throws Exception {
        JsonArray probes = new JsonArray();
        for (int i = 0; i < 20; i++) {
            probes.add(new JsonObject().put("id", "p" + i).put("features", ServiceApiTest.features(random)));
        }
        JsonArray answers;
        try (TestService service = new TestService(dataDir)) {
            expect(201, service.post("/v1/models", ServiceApiTest.modelRequest("a", "hat")));
            scoreAndLabel(service, "a", "a", 500);
            answers = expect(200, service.post("/v1/models/a/predict/batch", new JsonObject().put("events", probes)))
                    .getJsonArray("predictions");
        }
        Path newest = model("a").resolve("versions").resolve(String.format("%020d.snapshot", 500));
        Snapshot real = Snapshots.read(newest);
        forge(newest, real, new long[]{7, 7, 7}, Integer.MAX_VALUE); // an array of 2^31 - 1 longs, 24 bytes of them
        try (TestService service = new TestService(dataDir)) {
            JsonObject a = expect(200, service.get("/v1/models/a"));
            assertEquals(500, a.getLong("learned"), "rebuilt from the log");
            assertEquals(new JsonArray().add(500), a.getJsonObject("recovery").getJsonArray("unreadable_snapshots"));
            JsonArray again = expect(200, service.post("/v1/models/a/predict/batch?replace=true", new JsonObject().put("events", probes)))
                    .getJsonArray("predictions");
            assertEquals(answers.size(), again.size());
            for (int i = 0; i < answers.size(); i++) {
                assertEquals(answers.getJsonObject(i).getJsonObject("probabilities"), again.getJsonObject(i).getJsonObject("probabilities"));
            }
        }
    }

    /** Replaces a snapshot by one holding {@code state}, its array length set to {@code length}, checksum made good. */
    private static void forge(Path file, Snapshot real, long[] state, int length) throws IOException {
        byte[] bytes = Snapshots.encode(real.model(), (Serializable) state, real.provenance());
        byte[] three = ByteBuffer.allocate(28).putInt(state.length).putLong(7).putLong(7).putLong(7).array();
        for (int i = 0; i + three.length <= bytes.length; i++) {
            if (Arrays.equals(bytes, i, i + three.length, three, 0, three.length)) {
                ByteBuffer.wrap(bytes).putInt(i, length);
                break;
            }
        }
        CRC32C crc = new CRC32C();
        crc.update(bytes, 0, bytes.length - 8);
        ByteBuffer.wrap(bytes).putLong(bytes.length - 8, crc.getValue());
        Files.write(file, bytes);
    }

    @Test
    void aModelNamedDefault_isCreatedAndComesBack() throws Exception {
        try (TestService service = new TestService(dataDir)) {
            expect(201, service.post("/v1/models", ServiceApiTest.modelRequest("default", "nb")));
            scoreAndLabel(service, "default", "d", 100);
        }
        try (TestService service = new TestService(dataDir)) {
            assertEquals(100, expect(200, service.get("/v1/models/default")).getLong("learned"));
            expect(200, service.post("/v1/models/default/predict", new JsonObject().put("id", "again")
                    .put("features", ServiceApiTest.features(random))));
        }
    }

    @Test
    void aSecondServiceOnTheSameDataDir_isRefusedBeforeItWrites() throws Exception {
        try (TestService first = new TestService(dataDir)) {
            byte[] keys = Files.readAllBytes(dataDir.resolve("keys.json"));
            Exception refused = assertThrows(Exception.class, () -> new TestService(dataDir, new JsonObject().put("admin_key",
                    "another-admin-key-0123456789")));
            assertTrue(String.valueOf(refused.getMessage()).contains("another Vigie process"), String.valueOf(refused.getMessage()));
            assertTrue(Arrays.equals(keys, Files.readAllBytes(dataDir.resolve("keys.json"))), "keys.json untouched");
            assertEquals(200, first.get("/v1/models").statusCode());
        }
    }
}
