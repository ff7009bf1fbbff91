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
    private final Random random = new Random(11);
    private int next;

    private void scoreAndLabel(TestService service, int n) throws Exception {
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
            target = versions(service).stream().filter(v -> v.getString("reason").equals("periodic")).findFirst()
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
            if (version > rollback) {
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
}
