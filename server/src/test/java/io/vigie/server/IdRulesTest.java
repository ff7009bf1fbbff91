package io.vigie.server;

import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.net.http.HttpResponse;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Random;
import java.util.TreeMap;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;

import static io.vigie.server.TestService.expect;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** An id names one event: scored once unless asked again, labelled once, learned once. */
class IdRulesTest {
    @TempDir
    Path dataDir;
    private final Random random = new Random(9);

    private JsonObject event(String id) {
        return new JsonObject().put("id", id).put("features", ServiceApiTest.features(random));
    }

    @Test
    void aStoredId_isScoredAgainOnlyWhenAsked_byAKeyThatMayLabel() throws Exception {
        try (TestService service = new TestService(dataDir)) {
            expect(201, service.post("/v1/models", ServiceApiTest.modelRequest("m", "nb")));
            String predictOnly = expect(201, service.post("/v1/keys", new JsonObject().put("roles", new JsonArray().add("predict"))))
                    .getString("key");
            long first = expect(200, service.post("/v1/models/m/predict", event("tx1"))).getLong("version");

            HttpResponse<String> again = service.post("/v1/models/m/predict", event("tx1"));
            assertEquals(409, again.statusCode(), again.body());
            assertTrue(again.body().contains("id-exists") && again.body().contains("scored by version " + first), again.body());
            HttpResponse<String> byPredictKey = service.send("POST", "/v1/models/m/predict?replace=true", predictOnly, event("tx1").encode());
            assertEquals(403, byPredictKey.statusCode(), "a predict-only key cannot change what a label will be learned from");
            expect(200, service.post("/v1/models/m/predict?replace=true", event("tx1")));
            expect(200, service.post("/v1/models/m/predict?replace=true", event("tx1")));
            assertEquals(1, expect(200, service.get("/v1/models/m")).getLong("pending"), "an event scored again still waits once");

            HttpResponse<String> twice = service.post("/v1/models/m/predict/batch",
                    new JsonObject().put("events", new JsonArray().add(event("tx2")).add(event("tx2"))));
            assertEquals(409, twice.statusCode());
            assertTrue(twice.body().contains("id-twice"), twice.body());
            assertEquals(404, service.get("/v1/models/m/predictions/tx2").statusCode(), "a refused batch stores nothing");
        }
    }

    /**
     * Single predictions that reach the model together are scored as one run: each still gets its
     * own answer, and an id sent twice at once is scored once and refused once.
     */
    @Test
    void concurrentSinglePredictions_ofOneId_scoreItOnce() throws Exception {
        try (TestService service = new TestService(dataDir)) {
            expect(201, service.post("/v1/models", ServiceApiTest.modelRequest("m", "nb")));
            int ids = 30;
            List<JsonObject> events = new ArrayList<>();
            for (int i = 0; i < ids; i++) {
                events.add(event("c" + i));
            }
            ExecutorService clients = Executors.newFixedThreadPool(16);
            try {
                Map<String, List<Future<HttpResponse<String>>>> sent = new TreeMap<>();
                for (JsonObject e : events) {
                    for (int copy = 0; copy < 2; copy++) { // the copies one right after the other, so they often meet in one run
                        sent.computeIfAbsent(e.getString("id"), id -> new ArrayList<>())
                                .add(clients.submit(() -> service.post("/v1/models/m/predict", e)));
                    }
                }
                for (Map.Entry<String, List<Future<HttpResponse<String>>>> id : sent.entrySet()) {
                    List<Integer> statuses = new ArrayList<>();
                    for (Future<HttpResponse<String>> answer : id.getValue()) {
                        statuses.add(answer.get().statusCode());
                    }
                    assertEquals(List.of(200, 409), statuses.stream().sorted().toList(), id.getKey() + ": " + statuses);
                }
            } finally {
                clients.shutdownNow();
            }
            assertEquals(ids, expect(200, service.get("/v1/models/m")).getLong("pending"));
        }
    }

    @Test
    void aLabel_isLearnedOncePerId_whateverComesAfter() throws Exception {
        try (TestService service = new TestService(dataDir)) {
            expect(201, service.post("/v1/models", ServiceApiTest.modelRequest("m", "nb")));
            expect(200, service.post("/v1/models/m/predict", event("tx1")));
            long learned = expect(202, service.post("/v1/models/m/labels", new JsonObject().put("id", "tx1").put("label", "ok")))
                    .getLong("version");

            HttpResponse<String> rescore = service.post("/v1/models/m/predict?replace=true", event("tx1"));
            assertEquals(409, rescore.statusCode());
            assertTrue(rescore.body().contains("already-labelled"), rescore.body());
            assertEquals(409, service.post("/v1/models/m/labels", new JsonObject().put("id", "tx1").put("label", "fraud")).statusCode());

            expect(202, service.post("/v1/models/m/events", event("ev1").put("label", "ok")));
            assertEquals(409, service.post("/v1/models/m/events", event("ev1").put("label", "fraud")).statusCode(),
                    "a labelled event is learned once too");
            assertEquals(409, service.post("/v1/models/m/labels", new JsonObject().put("id", "ev1").put("label", "ok")).statusCode());
            assertEquals(409, service.post("/v1/models/m/predict", event("ev1")).statusCode());
            assertEquals(learned + 1, expect(200, service.get("/v1/models/m")).getLong("version"), "only the two first were logged");
        }
    }

    @Test
    void aBatch_ofWhichNothingIsAccepted_isNot202() throws Exception {
        try (TestService service = new TestService(dataDir)) {
            expect(201, service.post("/v1/models", ServiceApiTest.modelRequest("m", "nb")));
            JsonArray unknown = new JsonArray().add(new JsonObject().put("id", "u1").put("label", "ok"))
                    .add(new JsonObject().put("id", "u2").put("label", "ok"));
            HttpResponse<String> none = service.post("/v1/models/m/labels", new JsonObject().put("labels", unknown));
            assertEquals(404, none.statusCode(), "every item unknown: the batch says so");
            assertEquals(0, new JsonObject(none.body()).getInteger("learned"));

            expect(200, service.post("/v1/models/m/predict", event("k1")));
            JsonArray mixed = new JsonArray().add(new JsonObject().put("id", "u3").put("label", "ok"))
                    .add(new JsonObject().put("id", "k1").put("label", "nope"));
            assertEquals(422, service.post("/v1/models/m/labels", new JsonObject().put("labels", mixed)).statusCode(),
                    "nothing accepted, for different reasons");

            JsonArray some = new JsonArray().add(new JsonObject().put("id", "u4").put("label", "ok"))
                    .add(new JsonObject().put("id", "k1").put("label", "ok"));
            JsonObject accepted = expect(202, service.post("/v1/models/m/labels", new JsonObject().put("labels", some)));
            assertEquals(1, accepted.getInteger("learned"));
        }
    }
}
