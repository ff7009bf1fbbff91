package io.vigie.server;

import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.nio.file.Path;

import static io.vigie.server.TestService.expect;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * A bad event fails alone: a category the schema does not list is scored (and learned) as a
 * missing value and counted, unless the model says "unknown_values": "reject"; in a batch, an
 * event that cannot be read gets its own problem in its place and the others are answered.
 */
class BadEventsFailAloneTest {
    @TempDir
    Path dataDir;

    private static JsonObject event(String id, String channel) {
        return new JsonObject().put("id", id).put("features", new JsonObject().put("amount", 12.5).put("hour", 3).put("channel", channel));
    }

    @Test
    void anUnknownCategoryIsScoredAsMissingAndAMalformedEventFailsAlone() throws Exception {
        try (TestService service = new TestService(dataDir)) {
            expect(201, service.post("/v1/models", ServiceApiTest.modelRequest("cards", "hat")));
            JsonArray batch = new JsonArray().add(event("a", "web")).add(event("b", "crypto"))
                    .add(new JsonObject().put("id", "c").put("features", new JsonObject().put("amount", "lots")));
            JsonArray answers = expect(200, service.post("/v1/models/cards/predict/batch", new JsonObject().put("events", batch)))
                    .getJsonArray("predictions");
            assertEquals(3, answers.size());
            assertEquals("a", answers.getJsonObject(0).getString("id"));
            assertTrue(answers.getJsonObject(0).containsKey("probabilities"), "scored");
            assertEquals("b", answers.getJsonObject(1).getString("id"));
            assertTrue(answers.getJsonObject(1).containsKey("probabilities"), "a new category is scored as a missing value");
            JsonObject bad = answers.getJsonObject(2);
            assertEquals("c", bad.getString("id"));
            assertEquals(422, bad.getInteger("status"));
            assertTrue(bad.getString("detail").contains("'amount': expected a number"), bad.encode());
            expect(404, service.get("/v1/models/cards/predictions/c")); // nothing stored for it
            assertNull(expect(200, service.get("/v1/models/cards/predictions/b")).getJsonObject("features").getValue("channel"),
                    "the stored event holds a missing value");

            expect(200, service.post("/v1/models/cards/predict", event("d", "crypto")));
            expect(202, service.post("/v1/models/cards/labels", new JsonObject().put("id", "b").put("label", "fraud")));
            expect(202, service.post("/v1/models/cards/events", event("e", "atm").put("label", "ok")));
            assertEquals(2, expect(200, service.get("/v1/models/cards")).getLong("learned"), "learned with the value missing");
            String metrics = service.send("GET", "/metrics", null, null).body();
            assertTrue(metrics.contains("vigie_unknown_values_total{feature=\"channel\",model=\"cards\"} 3.0"), "counted by feature");

            JsonArray allBad = new JsonArray().add(42).add(new JsonObject().put("id", "f"));
            JsonObject refused = expect(400, service.post("/v1/models/cards/predict/batch", new JsonObject().put("events", allBad)));
            assertEquals(2, refused.getJsonArray("predictions").size(), "every event refused: each says why");
        }
    }

    @Test
    void aModelThatRejectsUnknownValuesRefusesOnlyThatEvent() throws Exception {
        try (TestService service = new TestService(dataDir)) {
            expect(201, service.post("/v1/models", ServiceApiTest.modelRequest("strict", "nb").put("unknown_values", "reject")));
            JsonArray answers = expect(200, service.post("/v1/models/strict/predict/batch", new JsonObject().put("events",
                    new JsonArray().add(event("a", "crypto")).add(event("b", "pos"))))).getJsonArray("predictions");
            assertEquals(422, answers.getJsonObject(0).getInteger("status"));
            assertTrue(answers.getJsonObject(0).getString("detail").contains("unknown value 'crypto'"), answers.encode());
            assertTrue(answers.getJsonObject(1).containsKey("probabilities"));
            assertEquals(422, service.post("/v1/models/strict/predict", event("c", "crypto")).statusCode());
            assertFalse(service.send("GET", "/metrics", null, null).body().contains("vigie_unknown_values_total{feature=\"channel\",model=\"strict\"}"),
                    "a model that refuses them counts nothing");
            assertEquals("reject", expect(200, service.get("/v1/models/strict")).getJsonObject("definition").getString("unknown_values"));
            assertEquals(422, service.post("/v1/models", ServiceApiTest.modelRequest("odd", "nb").put("unknown_values", "ignore")).statusCode());
        }
    }
}
