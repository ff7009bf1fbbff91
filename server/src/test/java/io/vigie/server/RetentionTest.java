package io.vigie.server;

import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Arrays;
import java.util.List;
import java.util.Random;
import java.util.stream.Stream;

import static io.vigie.server.TestService.expect;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * Version retention on the real service: the schedule's old snapshots go, what replay and a
 * person need stays, and a version can be downloaded and deleted by hand.
 */
class RetentionTest {
    private static final JsonObject CONFIG = new JsonObject().put("keep_versions", 2).put("snapshot_every", 100);
    @TempDir
    Path dataDir;
    private Random random = new Random(11);
    private int next;

    /** A POST to a service, in this JVM or another. */
    private interface Post {
        HttpResponse<String> post(String path, JsonObject body) throws Exception;
    }

    private void scoreAndLabel(TestService service, int n) throws Exception {
        scoreAndLabel(service::post, n);
    }

    private void scoreAndLabel(Post service, int n) throws Exception {
        for (int b = 0; b < n; b += 100) {
            JsonArray events = new JsonArray();
            JsonArray labels = new JsonArray();
            for (int i = 0; i < 100; i++, next++) {
                JsonObject f = ServiceApiTest.features(random);
                events.add(new JsonObject().put("id", "e" + next).put("features", f));
                labels.add(new JsonObject().put("id", "e" + next).put("label", ServiceApiTest.truth(f)));
            }
            expect(200, service.post("/v1/models/a/predict/batch", new JsonObject().put("events", events)));
            expect(202, service.post("/v1/models/a/labels", new JsonObject().put("labels", labels)));
        }
    }

    private static List<JsonObject> versions(TestService service) throws Exception {
        JsonArray list = expect(200, service.get("/v1/models/a/versions")).getJsonArray("versions");
        return list.stream().map(JsonObject.class::cast).toList();
    }

    private static List<Long> numbers(List<JsonObject> versions) {
        return versions.stream().map(v -> v.getLong("version")).toList();
    }

    private Path snapshot(long version) {
        return dataDir.resolve("models/a/versions").resolve(String.format("%020d.snapshot", version));
    }

    @Test
    void oldScheduledVersionsGo_whileRollbackTargetsAndManualOnesStay_andReplayStillFindsThem() throws Exception {
        long target;
        long manual;
        long rollback;
        JsonArray probes = new JsonArray();
        for (int i = 0; i < 20; i++) {
            probes.add(new JsonObject().put("id", "p" + i).put("features", ServiceApiTest.features(random)));
        }
        JsonArray answers;
        try (TestService service = new TestService(dataDir, CONFIG)) {
            expect(201, service.post("/v1/models", ServiceApiTest.modelRequest("a", "hat")));
            scoreAndLabel(service, 300);
            manual = expect(201, service.post("/v1/models/a/versions", new JsonObject())).getLong("version");
            scoreAndLabel(service, 300);
            // the newest periodic version: a snapshot still in flight cannot push it out of the two kept before the rollback
            target = versions(service).stream().filter(v -> v.getString("reason").equals("periodic")).reduce((a, b) -> b)
                    .orElseThrow().getLong("version");
            rollback = expect(200, service.post("/v1/models/a/rollback", new JsonObject().put("version", target))).getLong("version");
            scoreAndLabel(service, 500);
            answers = expect(200, service.post("/v1/models/a/predict/batch", new JsonObject().put("events", probes)))
                    .getJsonArray("predictions");
        }
        List<Long> left;
        try (TestService service = new TestService(dataDir, CONFIG)) {
            List<JsonObject> versions = versions(service);
            left = numbers(versions);
            List<Long> scheduled = numbers(versions.stream().filter(v -> !v.getString("reason").equals("manual")
                    && v.getLong("version") != target).toList());
            assertEquals(2, scheduled.size(), "the schedule's versions beyond the newest two are gone: " + versions);
            assertTrue(left.contains(manual), "the version asked for stays: " + left);
            assertTrue(left.contains(target), "the rollback's target stays though it is old: " + left);
            assertTrue(scheduled.get(0) > rollback, "the two kept are the newest: " + left);
            try (Stream<Path> files = Files.list(dataDir.resolve("models/a/versions"))) {
                assertEquals(left.size(), files.count(), "a deleted version leaves no file");
            }
        }
        // A crash before any snapshot after the rollback: replay from the manual version loads the target again.
        for (long version : left) {
            if (version >= rollback) { // the version taken right after the rollback too
                Files.delete(snapshot(version));
            }
        }
        try (TestService service = new TestService(dataDir, CONFIG)) {
            JsonArray again = expect(200, service.post("/v1/models/a/predict/batch?replace=true", new JsonObject().put("events", probes)))
                    .getJsonArray("predictions");
            for (int i = 0; i < answers.size(); i++) {
                assertEquals(answers.getJsonObject(i).getJsonObject("probabilities"), again.getJsonObject(i).getJsonObject("probabilities"));
            }
        }
    }

    @Test
    void aVersionIsDownloadedAsStored_andDeletedByHand_butNotTheNewestNorARollbacksTarget() throws Exception {
        try (TestService service = new TestService(dataDir, CONFIG)) {
            expect(201, service.post("/v1/models", ServiceApiTest.modelRequest("a", "nb")));
            scoreAndLabel(service, 100);
            long manual = expect(201, service.post("/v1/models/a/versions", new JsonObject())).getLong("version");
            scoreAndLabel(service, 100);
            long target = 0;
            expect(200, service.post("/v1/models/a/rollback", new JsonObject().put("version", target)));
            long newest = expect(201, service.post("/v1/models/a/versions", new JsonObject())).getLong("version");

            HttpResponse<byte[]> download = HttpClient.newHttpClient().send(HttpRequest.newBuilder(
                            URI.create("http://127.0.0.1:" + service.port() + "/v1/models/a/versions/" + manual + "/snapshot"))
                    .header("Authorization", "Bearer " + TestService.ADMIN).build(), HttpResponse.BodyHandlers.ofByteArray());
            assertEquals(200, download.statusCode());
            assertTrue(Arrays.equals(Files.readAllBytes(snapshot(manual)), download.body()), "the file as stored");

            assertTrue(expect(409, service.send("DELETE", "/v1/models/a/versions/" + newest, TestService.ADMIN, null))
                    .getString("detail").contains("is the newest"));
            assertTrue(expect(409, service.send("DELETE", "/v1/models/a/versions/" + target, TestService.ADMIN, null))
                    .getString("detail").contains("restored by a rollback"));
            expect(404, service.send("DELETE", "/v1/models/a/versions/seven", TestService.ADMIN, null));
            expect(204, service.send("DELETE", "/v1/models/a/versions/" + manual, TestService.ADMIN, null));
            expect(404, service.send("DELETE", "/v1/models/a/versions/" + manual, TestService.ADMIN, null));
            expect(404, service.get("/v1/models/a/versions/" + manual + "/snapshot"));
            assertTrue(Files.notExists(snapshot(manual)));
            expect(404, service.post("/v1/models/a/rollback", new JsonObject().put("version", manual)));
            JsonObject entry = expect(200, service.get("/v1/audit")).getJsonArray("entries").stream().map(JsonObject.class::cast)
                    .filter(e -> e.getString("action").equals("model.version.delete")).findFirst().orElseThrow();
            assertEquals(manual, entry.getJsonObject("details").getLong("deleted_version"));
        }
    }

    @Test
    void theLogIsCutBehindTheVersionsKept_andAKill9AfterItLosesNothing(@TempDir Path elsewhere) throws Exception {
        Path segments = dataDir.resolve("models/a/log");
        JsonObject config = CONFIG.copy().put("log_segment_bytes", 4096);
        Path configFile = Files.writeString(elsewhere.resolve("config.json"), config.encode());
        JsonArray probes = new JsonArray();
        for (int i = 0; i < 20; i++) {
            probes.add(new JsonObject().put("id", "p" + i).put("features", ServiceApiTest.features(new Random(i))));
        }
        HttpClient http = HttpClient.newHttpClient();
        long written;
        try (ServiceProcess service = new ServiceProcess(dataDir, configFile)) {
            Post post = (path, body) -> http.send(HttpRequest.newBuilder(URI.create("http://127.0.0.1:" + service.port() + path))
                    .header("Authorization", "Bearer " + TestService.ADMIN).header("Content-Type", "application/json")
                    .POST(HttpRequest.BodyPublishers.ofString(body.encode())).build(), HttpResponse.BodyHandlers.ofString());
            expect(201, post.post("/v1/models", ServiceApiTest.modelRequest("a", "hat")));
            scoreAndLabel(post, 2_000);
            written = logEnd(segments);
            // the last periodic snapshot's retention runs on the snapshot thread: wait until it cut the log
            long deadline = System.nanoTime() + 60_000_000_000L;
            while (segmentBytes(segments) > written / 3) {
                assertTrue(System.nanoTime() < deadline, "the log was not cut: " + segmentBytes(segments) + " of " + written + " bytes");
                Thread.sleep(20); // polling interval, not synchronisation: the condition decides
            }
            service.kill(); // kill -9 right after the cut
        }
        assertTrue(Files.notExists(segments.resolve("00000000000000000000.log")));

        JsonArray reference;
        try (TestService never = new TestService(elsewhere.resolve("reference"))) {
            expect(201, never.post("/v1/models", ServiceApiTest.modelRequest("a", "hat")));
            random = new Random(11); // the same events again
            next = 0;
            scoreAndLabel(never, 2_000);
            reference = expect(200, never.post("/v1/models/a/predict/batch", new JsonObject().put("events", probes)))
                    .getJsonArray("predictions");
        }
        JsonArray rolledBack;
        try (TestService restarted = new TestService(dataDir, config)) {
            assertEquals(2_000, expect(200, restarted.get("/v1/models/a")).getLong("learned"), "nothing acknowledged is lost");
            JsonArray again = expect(200, restarted.post("/v1/models/a/predict/batch", new JsonObject().put("events", probes)))
                    .getJsonArray("predictions");
            for (int i = 0; i < reference.size(); i++) {
                assertEquals(reference.getJsonObject(i).getJsonObject("probabilities"), again.getJsonObject(i).getJsonObject("probabilities"));
            }
            // a rollback to the oldest version kept, whose log was cut, then a restart that replays through it
            JsonObject oldest = versions(restarted).get(0);
            expect(200, restarted.post("/v1/models/a/rollback", new JsonObject().put("version", oldest.getLong("version"))));
            assertEquals(oldest.getLong("learned"), expect(200, restarted.get("/v1/models/a")).getLong("learned"));
            rolledBack = expect(200, restarted.post("/v1/models/a/predict/batch?replace=true", new JsonObject().put("events", probes)))
                    .getJsonArray("predictions");
        }
        try (TestService restarted = new TestService(dataDir, config)) {
            JsonArray again = expect(200, restarted.post("/v1/models/a/predict/batch?replace=true", new JsonObject().put("events", probes)))
                    .getJsonArray("predictions");
            for (int i = 0; i < rolledBack.size(); i++) {
                assertEquals(rolledBack.getJsonObject(i).getJsonObject("probabilities"), again.getJsonObject(i).getJsonObject("probabilities"));
            }
        }
    }

    private static List<Path> segmentFiles(Path dir) throws Exception {
        try (Stream<Path> files = Files.list(dir)) {
            return files.filter(f -> f.getFileName().toString().endsWith(".log")).sorted().toList();
        }
    }

    private static long segmentBytes(Path dir) throws Exception {
        long total = 0;
        for (Path file : segmentFiles(dir)) {
            total += Files.size(file);
        }
        return total;
    }

    /** The log's end offset: the last segment's first offset (its name) plus its size. */
    private static long logEnd(Path dir) throws Exception {
        List<Path> files = segmentFiles(dir);
        Path last = files.get(files.size() - 1);
        return Long.parseLong(last.getFileName().toString().substring(0, 20)) + Files.size(last);
    }
}
