package io.vigie.server;

import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.net.http.HttpClient;
import java.net.http.HttpResponse;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Random;
import java.util.TreeSet;
import java.util.concurrent.CompletableFuture;

import static io.vigie.server.TestService.expect;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * kill -9 during a stream of labels, again and again: after each restart every acknowledged
 * label is learned exactly once, and in the end the model predicts exactly as one that never
 * stopped.
 */
class CrashRecoveryTest {
    private static final int EVENTS = 1500;
    /** 12 in the default build; the fault campaign ({@code ./vigie faults}) runs it with 20. */
    private static final int KILLS = Integer.getInteger("vigie.kills", 12);
    private static final String MODEL = "committee -e hat,nb";

    @TempDir
    Path crashed;
    @TempDir
    Path uninterrupted;

    private final HttpClient http = HttpClient.newHttpClient();

    @Test
    void killNineDuringLabels_losesNothingAndLearnsNothingTwice() throws Exception {
        Random random = new Random(11);
        List<JsonObject> events = new ArrayList<>();
        for (int i = 0; i < EVENTS; i++) {
            JsonObject f = ServiceApiTest.features(random);
            events.add(new JsonObject().put("id", "tx" + i).put("features", f).put("label", ServiceApiTest.truth(f)));
        }
        JsonArray probes = new JsonArray();
        for (int i = 0; i < 100; i++) {
            probes.add(new JsonObject().put("id", "probe" + i).put("features", ServiceApiTest.features(random)));
        }
        // kill points: after these label indices (distinct, sorted, seeded)
        TreeSet<Integer> killAfter = new TreeSet<>();
        while (killAfter.size() < KILLS) {
            killAfter.add(50 + random.nextInt(EVENTS - 100));
        }
        Path config = Files.writeString(crashed.resolve("config.json"), new JsonObject().put("snapshot_every", 200).encode());

        ServiceProcess service = new ServiceProcess(crashed.resolve("data"), config);
        expect(201, send(service, "POST", "/v1/models", ServiceApiTest.modelRequest("cards", MODEL)));
        for (int from = 0; from < EVENTS; from += 500) {
            JsonArray batch = new JsonArray(events.subList(from, Math.min(EVENTS, from + 500)).stream()
                    .map(e -> (Object) new JsonObject().put("id", e.getString("id")).put("features", e.getJsonObject("features"))).toList());
            expect(200, send(service, "POST", "/v1/models/cards/predict/batch", new JsonObject().put("events", batch)));
        }
        int acknowledged = 0;
        int foundLogged = 0;
        int kills = 0;
        for (int i = 0; i < EVENTS; i++) {
            JsonObject label = new JsonObject().put("id", "tx" + i).put("label", events.get(i).getString("label"));
            if (killAfter.contains(i)) {
                // the label is in flight when the process dies: logged or not, it must be learned once in the end
                CompletableFuture<HttpResponse<String>> inFlight = sendAsync(service, "/v1/models/cards/labels", label);
                service.kill();
                kills++;
                inFlight.handle((r, e) -> null).join();
                service = new ServiceProcess(crashed.resolve("data"), config);
                JsonObject state = expect(200, send(service, "GET", "/v1/models/cards", null));
                long learned = state.getLong("learned");
                assertTrue(learned == i || learned == i + 1, "after a crash the model has learned exactly the acknowledged labels "
                        + "(" + i + ") and perhaps the one in flight, got " + learned);
                HttpResponse<String> resent = send(service, "POST", "/v1/models/cards/labels", label);
                if (resent.statusCode() == 409) {
                    foundLogged++;
                    assertEquals(i + 1, learned, "a label found logged was learned");
                } else {
                    expect(202, resent);
                    assertEquals(i, learned);
                }
            } else {
                expect(202, send(service, "POST", "/v1/models/cards/labels", label));
            }
            acknowledged++;
        }
        JsonObject model = expect(200, send(service, "GET", "/v1/models/cards", null));
        assertEquals(EVENTS, model.getLong("learned"), "every label learned once");
        assertEquals(EVENTS, model.getLong("version"), "one log record per label, none twice");
        assertEquals(foundLogged, model.getJsonObject("labels").getLong("duplicate"));
        assertEquals(0, model.getJsonObject("labels").getLong("unknown_id"), "no scored event was lost");
        JsonObject afterCrashes = expect(200, send(service, "POST", "/v1/models/cards/predict/batch?replace=true",
                new JsonObject().put("events", probes)));
        assertEquals(143, service.terminate(), "SIGTERM stops it (128 + 15, the JVM's status after its shutdown hooks)");
        assertTrue(service.output().contains("Vigie stopped: models drained and snapshotted"), service.output());

        JsonObject reference;
        try (TestService never = new TestService(uninterrupted)) {
            expect(201, never.post("/v1/models", ServiceApiTest.modelRequest("cards", MODEL)));
            for (JsonObject e : events) {
                expect(200, never.post("/v1/models/cards/predict", new JsonObject().put("id", e.getString("id"))
                        .put("features", e.getJsonObject("features"))));
            }
            for (JsonObject e : events) {
                expect(202, never.post("/v1/models/cards/labels", new JsonObject().put("id", e.getString("id"))
                        .put("label", e.getString("label"))));
            }
            reference = expect(200, never.post("/v1/models/cards/predict/batch", new JsonObject().put("events", probes)));
        }
        assertEquals(KILLS, kills);
        assertEquals(EVENTS, acknowledged);
        assertEquals(reference, afterCrashes, "after " + KILLS + " kill -9s the model predicts exactly as one that never stopped");

        try (ServiceProcess restarted = new ServiceProcess(crashed.resolve("data"), config)) {
            assertEquals(afterCrashes, expect(200, send(restarted, "POST", "/v1/models/cards/predict/batch?replace=true",
                    new JsonObject().put("events", probes))), "and again after a clean stop and start");
        }
    }

    private HttpResponse<String> send(ServiceProcess service, String method, String path, JsonObject body) throws Exception {
        return service.send(method, path, body);
    }

    private CompletableFuture<HttpResponse<String>> sendAsync(ServiceProcess service, String path, JsonObject body) {
        return http.sendAsync(service.request("POST", path, body), HttpResponse.BodyHandlers.ofString());
    }
}
