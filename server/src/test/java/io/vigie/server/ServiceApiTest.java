package io.vigie.server;

import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.net.http.HttpResponse;
import java.nio.file.Path;
import java.util.Random;

import static io.vigie.server.TestService.expect;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** The scoring and label API end to end on a real server, a real log and a real RocksDB. */
class ServiceApiTest {
    @TempDir
    Path dataDir;

    static JsonObject modelRequest(String name, String model) {
        return new JsonObject().put("name", name).put("model", model).put("seed", 7)
                .put("schema", new JsonObject()
                        .put("features", new JsonArray()
                                .add(new JsonObject().put("name", "amount").put("type", "numeric"))
                                .add(new JsonObject().put("name", "hour").put("type", "numeric"))
                                .add(new JsonObject().put("name", "channel").put("type", "nominal")
                                        .put("values", new JsonArray().add("web").add("pos"))))
                        .put("classes", new JsonArray().add("ok").add("fraud")));
    }

    /** A deterministic toy stream: fraud when the amount is large at night. */
    static JsonObject features(Random random) {
        return new JsonObject().put("amount", Math.round(random.nextDouble() * 1000) / 10.0)
                .put("hour", random.nextInt(24)).put("channel", random.nextBoolean() ? "web" : "pos");
    }

    static String truth(JsonObject features) {
        return features.getDouble("amount") > 60 && features.getInteger("hour") < 6 ? "fraud" : "ok";
    }

    @Test
    void predictThenLabel_learnsAndKeepsTheAuditTrail() throws Exception {
        try (TestService service = new TestService(dataDir)) {
            expect(201, service.post("/v1/models", modelRequest("cards", "hat")));
            Random random = new Random(1);
            for (int i = 0; i < 300; i++) {
                JsonObject f = features(random);
                JsonObject p = expect(200, service.post("/v1/models/cards/predict", new JsonObject().put("id", "tx" + i).put("features", f)));
                assertEquals("tx" + i, p.getString("id"));
                assertTrue(p.getJsonObject("probabilities").containsKey("fraud"));
                assertNotNull(p.getString("label"), "the best guess is given even when abstaining");
                assertEquals(p.getBoolean("abstain"), p.getString("reason") != null);
                JsonObject learned = expect(202, service.post("/v1/models/cards/labels",
                        new JsonObject().put("id", "tx" + i).put("label", truth(f))));
                assertEquals("learned", learned.getString("status"));
                assertEquals(i + 1L, learned.getLong("version"), "one log record per label");
            }
            JsonObject model = expect(200, service.get("/v1/models/cards"));
            assertEquals(300, model.getLong("learned"));
            assertEquals(0, model.getLong("pending"));
            assertEquals(300, model.getLong("version"));
            assertEquals(300, model.getJsonObject("metrics").getJsonObject("cumulative").getLong("labelled"));
            assertTrue(model.getJsonObject("metrics").getJsonObject("cumulative").getDouble("accuracy") > 0.8);

            JsonObject audit = expect(200, service.get("/v1/models/cards/predictions/tx7"));
            assertEquals("tx7", audit.getString("id"));
            assertEquals(7, audit.getLong("version"), "scored by the model that had learned tx0..tx6");
            assertNotNull(audit.getString("label"));
            assertEquals(3, audit.getJsonObject("features").size());
        }
    }

    @Test
    void labelsThatCannotBeLearned_areReportedOneByOne() throws Exception {
        try (TestService service = new TestService(dataDir)) {
            expect(201, service.post("/v1/models", modelRequest("cards", "nb")));
            Random random = new Random(2);
            expect(200, service.post("/v1/models/cards/predict", new JsonObject().put("id", "a").put("features", features(random))));
            expect(200, service.post("/v1/models/cards/predict", new JsonObject().put("id", "b").put("features", features(random))));

            assertEquals(404, service.post("/v1/models/cards/labels", new JsonObject().put("id", "nope").put("label", "ok")).statusCode());
            assertEquals(422, service.post("/v1/models/cards/labels", new JsonObject().put("id", "a").put("label", "maybe")).statusCode());
            expect(202, service.post("/v1/models/cards/labels", new JsonObject().put("id", "a").put("label", "ok")));
            assertEquals(409, service.post("/v1/models/cards/labels", new JsonObject().put("id", "a").put("label", "ok")).statusCode());

            JsonObject batch = expect(202, service.post("/v1/models/cards/labels", new JsonObject().put("labels", new JsonArray()
                    .add(new JsonObject().put("id", "b").put("label", "fraud"))
                    .add(new JsonObject().put("id", "b").put("label", "fraud"))
                    .add(new JsonObject().put("id", "zzz").put("label", "ok"))
                    .add(new JsonObject().put("id", "a").put("label", "weird"))
                    .add("not an object"))));
            assertEquals(1, batch.getInteger("learned"));
            JsonArray results = batch.getJsonArray("results");
            assertEquals(5, results.size());
            assertEquals("learned", results.getJsonObject(0).getString("outcome"));
            assertEquals("duplicate", results.getJsonObject(1).getString("outcome"));
            assertEquals("unknown_id", results.getJsonObject(2).getString("outcome"));
            assertEquals(422, results.getJsonObject(3).getInteger("status"));
            assertEquals(400, results.getJsonObject(4).getInteger("status"));

            JsonObject labels = expect(200, service.get("/v1/models/cards")).getJsonObject("labels");
            assertEquals(2, labels.getLong("learned"));
            assertEquals(2, labels.getLong("unknown_id"));
            assertEquals(2, labels.getLong("duplicate"));
            String metrics = service.send("GET", "/metrics", null, null).body();
            assertTrue(metrics.contains("vigie_labels_rejected_total{model=\"cards\",outcome=\"duplicate\"} 2.0"), metrics);
        }
    }

    @Test
    void aRestart_recoversTheSameModelFromSnapshotAndLog() throws Exception {
        JsonArray probes = new JsonArray();
        Random random = new Random(3);
        for (int i = 0; i < 50; i++) {
            probes.add(new JsonObject().put("id", "probe" + i).put("features", features(random)));
        }
        JsonObject before;
        try (TestService service = new TestService(dataDir, new JsonObject().put("snapshot_every", 250))) {
            expect(201, service.post("/v1/models", modelRequest("cards", "committee -e hat,nb")));
            JsonArray events = new JsonArray();
            for (int i = 0; i < 600; i++) {
                JsonObject f = features(random);
                events.add(new JsonObject().put("id", "e" + i).put("features", f).put("label", truth(f)));
            }
            expect(202, service.post("/v1/models/cards/events", new JsonObject().put("events", events)));
            before = expect(200, service.post("/v1/models/cards/predict/batch", new JsonObject().put("events", probes)));
        }
        try (TestService service = new TestService(dataDir)) {
            JsonObject after = expect(200, service.post("/v1/models/cards/predict/batch?replace=true", new JsonObject().put("events", probes)));
            assertEquals(before, after, "same probabilities, sets, abstentions and version after a restart");
            JsonObject model = expect(200, service.get("/v1/models/cards"));
            assertEquals(600, model.getLong("learned"));
            assertFalse(expect(200, service.get("/v1/models/cards/versions")).getJsonArray("versions").isEmpty());
        }
    }

    @Test
    void rollback_servesTheEarlierVersionsPredictionsAgain() throws Exception {
        try (TestService service = new TestService(dataDir)) {
            expect(201, service.post("/v1/models", modelRequest("cards", "hat")));
            Random random = new Random(4);
            JsonArray probes = new JsonArray();
            for (int i = 0; i < 20; i++) {
                probes.add(new JsonObject().put("id", "probe" + i).put("features", features(random)));
            }
            learn(service, random, 0, 400);
            long v1 = expect(201, service.post("/v1/models/cards/versions", new JsonObject())).getLong("version");
            assertEquals(400, v1);
            JsonArray atV1 = expect(200, service.post("/v1/models/cards/predict/batch", new JsonObject().put("events", probes)))
                    .getJsonArray("predictions");
            learn(service, random, 400, 1500);
            JsonObject rolled = expect(200, service.post("/v1/models/cards/rollback", new JsonObject().put("version", v1)));
            assertEquals(v1, rolled.getLong("rolled_back_to"));
            assertEquals(1501, rolled.getLong("version"), "the rollback is itself a log record");
            JsonArray afterRollback = expect(200, service.post("/v1/models/cards/predict/batch?replace=true", new JsonObject().put("events", probes)))
                    .getJsonArray("predictions");
            for (int i = 0; i < probes.size(); i++) {
                JsonObject a = atV1.getJsonObject(i).copy();
                JsonObject b = afterRollback.getJsonObject(i).copy();
                a.remove("version");
                b.remove("version");
                assertEquals(a, b);
            }
            assertEquals(404, service.post("/v1/models/cards/rollback", new JsonObject().put("version", 12345)).statusCode());
        }
    }

    private static void learn(TestService service, Random random, int from, int to) throws Exception {
        JsonArray events = new JsonArray();
        for (int i = from; i < to; i++) {
            JsonObject f = features(random);
            events.add(new JsonObject().put("id", "e" + i).put("features", f).put("label", truth(f)));
            if (events.size() == 500 || i == to - 1) {
                expect(202, service.post("/v1/models/cards/events", new JsonObject().put("events", events)));
                events = new JsonArray();
            }
        }
    }

    @Test
    void modelsAreCreatedOnceAndValidated() throws Exception {
        try (TestService service = new TestService(dataDir)) {
            expect(201, service.post("/v1/models", modelRequest("cards", "hat")));
            assertEquals(409, service.post("/v1/models", modelRequest("cards", "hat")).statusCode());
            HttpResponse<String> badModel = service.post("/v1/models", modelRequest("other", "trees.NoSuchTree"));
            assertEquals(422, badModel.statusCode());
            assertEquals("application/problem+json", badModel.headers().firstValue("Content-Type").orElse(""));
            assertEquals(422, service.post("/v1/models", modelRequest("Bad Name", "hat")).statusCode());
            assertEquals(422, service.post("/v1/models", modelRequest("srp", "srp")).statusCode(), "cannot be snapshotted");
            assertEquals(400, service.send("POST", "/v1/models", TestService.ADMIN, "{\"name\":").statusCode());
            JsonArray list = expect(200, service.get("/v1/models")).getJsonArray("models");
            assertEquals(1, list.size());
            assertEquals(204, service.send("DELETE", "/v1/models/cards", TestService.ADMIN, null).statusCode());
            assertEquals(404, service.get("/v1/models/cards").statusCode());
            expect(201, service.post("/v1/models", modelRequest("cards", "nb")));
        }
    }

    @Test
    void aLabelAfterTheTtl_isLateAndNotLearned() throws Exception {
        TestClock clock = new TestClock(java.time.Instant.parse("2026-03-01T00:00:00Z"));
        try (TestService service = new TestService(dataDir, new JsonObject(), clock)) {
            expect(201, service.post("/v1/models", modelRequest("cards", "nb").put("label_ttl", "P7D")));
            Random random = new Random(6);
            expect(200, service.post("/v1/models/cards/predict", new JsonObject().put("id", "old").put("features", features(random))));
            clock.advance(java.time.Duration.ofDays(6));
            expect(200, service.post("/v1/models/cards/predict", new JsonObject().put("id", "recent").put("features", features(random))));
            clock.advance(java.time.Duration.ofDays(2));
            HttpResponse<String> late = service.post("/v1/models/cards/labels", new JsonObject().put("id", "old").put("label", "ok"));
            assertEquals(410, late.statusCode(), late.body());
            expect(202, service.post("/v1/models/cards/labels", new JsonObject().put("id", "recent").put("label", "ok")));
            JsonObject model = expect(200, service.get("/v1/models/cards"));
            assertEquals(1, model.getLong("learned"));
            assertEquals(1, model.getJsonObject("labels").getLong("late"));
            assertEquals("2026-03-07T00:00:00Z", expect(200, service.get("/v1/models/cards/predictions/recent")).getString("scored_at"));
        }
    }
}
