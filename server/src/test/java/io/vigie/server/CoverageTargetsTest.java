package io.vigie.server;

import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.nio.file.Path;
import java.util.Random;

import static io.vigie.server.TestService.expect;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * A target coverage per class ({@code "target_coverage": {"fraud": 0.8, "ok": 0.95}}): taken,
 * kept in the definition and the snapshots across a restart, the lowest shown as the model's
 * target in /metrics; a class left out or one the schema does not have is a 422 naming it.
 */
class CoverageTargetsTest {
    @TempDir
    Path dataDir;

    private static JsonObject withTargets(JsonObject targets) {
        return ServiceApiTest.modelRequest("cards", "hat").put("abstention", new JsonObject().put("target_coverage", targets));
    }

    @Test
    void aTargetPerClassIsKeptAcrossARestartAndCheckedClassByClass() throws Exception {
        JsonObject targets = new JsonObject().put("ok", 0.95).put("fraud", 0.8);
        JsonObject before;
        try (TestService service = new TestService(dataDir)) {
            JsonObject created = expect(201, service.post("/v1/models", withTargets(targets)));
            assertEquals(targets, created.getJsonObject("definition").getJsonObject("abstention").getJsonObject("target_coverage"));
            assertTrue(created.getJsonObject("definition").getJsonObject("abstention").getBoolean("per_class"));
            Random random = new Random(8);
            JsonArray events = new JsonArray();
            JsonArray labels = new JsonArray();
            for (int i = 0; i < 500; i++) {
                JsonObject f = ServiceApiTest.features(random);
                events.add(new JsonObject().put("id", "t" + i).put("features", f));
                labels.add(new JsonObject().put("id", "t" + i).put("label", ServiceApiTest.truth(f)));
            }
            expect(200, service.post("/v1/models/cards/predict/batch", new JsonObject().put("events", events)));
            expect(202, service.post("/v1/models/cards/labels", new JsonObject().put("labels", labels)));
            assertTrue(service.send("GET", "/metrics", null, null).body().contains("vigie_coverage_target_ratio{model=\"cards\"} 0.8"),
                    "the lowest target is the model's");
            before = expect(200, service.post("/v1/models/cards/predict", new JsonObject().put("id", "probe")
                    .put("features", ServiceApiTest.features(new Random(1)))));
        }
        try (TestService service = new TestService(dataDir)) {
            JsonObject definition = expect(200, service.get("/v1/models/cards")).getJsonObject("definition");
            assertEquals(targets, definition.getJsonObject("abstention").getJsonObject("target_coverage"));
            JsonObject after = expect(200, service.post("/v1/models/cards/predict?replace=true", new JsonObject().put("id", "probe")
                    .put("features", ServiceApiTest.features(new Random(1)))));
            assertEquals(before.getJsonArray("prediction_set"), after.getJsonArray("prediction_set"), "the same sets after a restart");
            assertEquals(before.getJsonObject("probabilities"), after.getJsonObject("probabilities"));

            JsonObject missing = expect(422, service.post("/v1/models", withTargets(new JsonObject().put("ok", 0.9)).put("name", "b")));
            assertTrue(missing.getString("detail").contains("none for 'fraud'"), missing.encode());
            JsonObject unknown = expect(422, service.post("/v1/models", withTargets(new JsonObject().put("ok", 0.9).put("fraud", 0.8)
                    .put("frod", 0.7)).put("name", "c")));
            assertTrue(unknown.getString("detail").contains("unknown field 'frod'"), unknown.encode());
            JsonObject outOfRange = expect(422, service.post("/v1/models", withTargets(new JsonObject().put("ok", 1.0).put("fraud", 0.8))
                    .put("name", "d")));
            assertTrue(outOfRange.getString("detail").contains("between 0 and 1"), outOfRange.encode());
        }
    }
}
