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
import static org.junit.jupiter.api.Assertions.assertTrue;

/** A field the service does not know, at any depth of any body, is a 422 that names it: a typo never passes for a default. */
class UnknownFieldsTest {
    @TempDir
    Path dataDir;

    @Test
    void everyBodyNamesTheFieldItDoesNotKnow() throws Exception {
        try (TestService service = new TestService(dataDir)) {
            JsonObject cards = ServiceApiTest.modelRequest("cards", "nb");
            refused(service, "/v1/models", cards.copy().put("modle", "ht"), "'modle' in the model definition; did you mean 'model'?");
            JsonObject typoInFeature = cards.copy();
            typoInFeature.getJsonObject("schema").getJsonArray("features").getJsonObject(0).put("tpye", "nominal");
            refused(service, "/v1/models", typoInFeature, "'tpye' in 'schema.features[0]'; did you mean 'type'?");
            refused(service, "/v1/models", cards.copy().put("abstention", new JsonObject().put("target_coverge", 0.8)),
                    "'target_coverge' in 'abstention'; did you mean 'target_coverage'?");
            assertEquals(0, expect(200, service.get("/v1/models")).getJsonArray("models").size(), "no model was made");

            expect(201, service.post("/v1/models", cards));
            Random random = new Random(5);
            JsonObject features = ServiceApiTest.features(random);
            refused(service, "/v1/models/cards/predict", new JsonObject().put("id", "a").put("feature", features),
                    "'feature' in the event; did you mean 'features'?");
            JsonObject item = expect(422, service.post("/v1/models/cards/predict/batch", new JsonObject().put("events", new JsonArray()
                    .add(new JsonObject().put("id", "b").put("features", features).put("explain", true))))).getJsonArray("predictions")
                    .getJsonObject(0);
            assertTrue(item.getString("detail").contains("unknown field 'explain' in the event"), item.encode());
            refused(service, "/v1/models/cards/predict/batch", new JsonObject().put("events", new JsonArray()
                    .add(new JsonObject().put("id", "b").put("features", features))).put("replace", true), "'replace' in the batch");
            refused(service, "/v1/models/cards/events", new JsonObject().put("id", "c").put("features", features).put("lable", "ok"),
                    "'lable' in the labelled event; did you mean 'label'?");
            expect(404, service.get("/v1/models/cards/predictions/a"));
            expect(404, service.get("/v1/models/cards/predictions/b"));
            expect(404, service.get("/v1/models/cards/predictions/c"));

            expect(200, service.post("/v1/models/cards/predict", new JsonObject().put("id", "d").put("features", features)));
            refused(service, "/v1/models/cards/labels", new JsonObject().put("id", "d").put("lable", "ok"), "'lable' in the label");
            JsonObject batch = expect(422, service.post("/v1/models/cards/labels", new JsonObject().put("labels", new JsonArray()
                    .add(new JsonObject().put("id", "d").put("label", "ok").put("weight", 2)))));
            assertTrue(batch.getJsonArray("results").getJsonObject(0).getString("detail").contains("unknown field 'weight'"),
                    batch.encode());
            assertEquals(0, expect(200, service.get("/v1/models/cards")).getLong("learned"), "nothing was learned");

            refused(service, "/v1/keys", new JsonObject().put("roles", new JsonArray().add("read")).put("expires", "P1D"),
                    "'expires' in the key request");
            refused(service, "/v1/models/cards/rollback", new JsonObject().put("version", 0).put("force", true),
                    "'force' in the rollback");
            refused(service, "/v1/models/cards/challengers", new JsonObject().put("name", "x").put("model", "ht").put("mod", "canary"),
                    "'mod' in the challenger; did you mean 'mode'?");
            refused(service, "/v1/models/cards/challengers", new JsonObject().put("name", "x").put("model", "ht")
                    .put("auto_promote", new JsonObject().put("after_events", 200).put("pvalue", 0.01)),
                    "'pvalue' in 'auto_promote'; did you mean 'p_value'?");
            refused(service, "/v1/models/cards/promote", new JsonObject().put("challenger", "x").put("now", true), "'now' in the promotion");
            assertEquals(0, expect(200, service.get("/v1/models/cards/comparison")).getJsonArray("challengers").size());
        }
    }

    private static void refused(TestService service, String path, JsonObject body, String named) throws Exception {
        HttpResponse<String> response = service.post(path, body);
        assertEquals(422, response.statusCode(), path + ": " + response.body());
        String detail = new JsonObject(response.body()).getString("detail");
        assertTrue(detail.contains("unknown field " + named), detail);
    }
}
