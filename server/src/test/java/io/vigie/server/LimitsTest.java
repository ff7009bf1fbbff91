package io.vigie.server;

import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.net.http.HttpResponse;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Random;

import static io.vigie.server.TestService.expect;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** What one model may ask for: a classifier of bounded size, and a bounded store of events waiting for labels. */
class LimitsTest {
    @TempDir
    Path dataDir;

    @Test
    void modelSpecs_areClassifiersOfBoundedSize() throws Exception {
        try (TestService service = new TestService(dataDir)) {
            for (String[] refused : new String[][]{{"trees.FIMTDD", "regressor"}, {"rules.AMRulesRegressor", "regressor"},
                    {"meta.OzaBag -s 300000", "300000 base models"}, {"meta.OzaBag -s 20 -l (meta.OzaBag -s 30)", "600 base models"},
                    {"meta.DynamicWeightedMajority", "base models"}}) {
                HttpResponse<String> answer = service.post("/v1/models", ServiceApiTest.modelRequest("m", refused[0]));
                assertEquals(422, answer.statusCode(), refused[0] + ": " + answer.body());
                assertTrue(answer.body().contains(refused[1]), answer.body());
            }
            assertFalse(Files.exists(dataDir.resolve("models").resolve("m")), "nothing was created");
            expect(201, service.post("/v1/models", ServiceApiTest.modelRequest("m", "meta.DynamicWeightedMajority -e 20")));
            HttpResponse<String> challenger = service.post("/v1/models/m/challengers",
                    new JsonObject().put("name", "big").put("model", "meta.OzaBag -s 300000"));
            assertEquals(422, challenger.statusCode(), challenger.body());
        }
    }

    @Test
    void storedEvents_pastTheQuota_are507_andLabelledEventsGoOn() throws Exception {
        try (TestService service = new TestService(dataDir, new JsonObject().put("max_pending_events", 300))) {
            expect(201, service.post("/v1/models", ServiceApiTest.modelRequest("m", "nb")));
            Random random = new Random(3);
            expect(200, service.post("/v1/models/m/predict/batch", events(random, 0, 250, false)));
            HttpResponse<String> over = service.post("/v1/models/m/predict/batch", events(random, 250, 100, false));
            assertEquals(507, over.statusCode(), over.body());
            assertTrue(over.body().contains("max_pending_events"), over.body());
            expect(202, service.post("/v1/models/m/events", events(random, 1000, 100, true)));
            assertEquals(250, expect(200, service.get("/v1/models/m")).getLong("pending"), "the refused batch stored nothing");
        }
    }

    private static JsonObject events(Random random, int first, int n, boolean labelled) {
        JsonArray events = new JsonArray();
        for (int i = first; i < first + n; i++) {
            JsonObject f = ServiceApiTest.features(random);
            JsonObject event = new JsonObject().put("id", "e" + i).put("features", f);
            events.add(labelled ? event.put("label", ServiceApiTest.truth(f)) : event);
        }
        return new JsonObject().put("events", events);
    }
}
