package io.vigie.server;

import io.vertx.core.json.JsonObject;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.net.http.HttpResponse;
import java.nio.file.Path;

import static io.vigie.server.TestService.expect;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** Inputs that are valid JSON yet ambiguous or huge: refused, or read one way, and never echoed back whole. */
class EdgeInputTest {
    @TempDir
    Path dataDir;

    @Test
    void ambiguousIdsKeysAndHugeValues() throws Exception {
        try (TestService service = new TestService(dataDir)) {
            expect(201, service.post("/v1/models", ServiceApiTest.modelRequest("m", "nb")));
            String features = "{\"amount\": 10, \"hour\": 3, \"channel\": \"web\"}";

            HttpResponse<String> twice = service.send("POST", "/v1/models/m/predict", TestService.ADMIN,
                    "{\"id\": \"a\", \"id\": \"b\", \"features\": " + features + "}");
            assertEquals(400, twice.statusCode());
            assertTrue(twice.body().contains("Duplicate field 'id'"), twice.body());

            HttpResponse<String> lone = service.send("POST", "/v1/models/m/predict", TestService.ADMIN,
                    "{\"id\": \"\\ud800\", \"features\": " + features + "}");
            assertEquals(422, lone.statusCode(), lone.body());
            assertTrue(lone.body().contains("lone surrogate"), lone.body());

            // one id written two ways: é composed, and e followed by a combining acute accent
            expect(200, service.send("POST", "/v1/models/m/predict", TestService.ADMIN,
                    "{\"id\": \"caf\\u00e9\", \"features\": " + features + "}"));
            JsonObject learned = expect(202, service.send("POST", "/v1/models/m/labels", TestService.ADMIN,
                    "{\"id\": \"cafe\\u0301\", \"label\": \"ok\"}"));
            assertEquals("caf\u00e9", learned.getString("id"), "the label found the event scored under the composed form");

            String huge = "x".repeat(3_000_000);
            HttpResponse<String> bad = service.send("POST", "/v1/models/m/predict", TestService.ADMIN,
                    new JsonObject().put("id", "h").put("features", new JsonObject().put("amount", 1).put("hour", 2)
                            .put("channel", huge)).encode());
            assertEquals(200, bad.statusCode(), "a category the schema does not list, however long, is scored as missing");
            assertTrue(bad.body().length() < 1_000, "the value is not echoed back: " + bad.body().length() + " bytes");
            HttpResponse<String> badClass = service.send("POST", "/v1/models/m/labels", TestService.ADMIN,
                    new JsonObject().put("id", "caf\u00e9").put("label", huge).encode());
            assertTrue(badClass.statusCode() == 422 && badClass.body().length() < 1_000, badClass.statusCode() + " " + badClass.body().length());
        }
    }
}
