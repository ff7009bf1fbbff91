package io.vigie.server;

import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.Random;
import java.util.TreeMap;

import static io.vigie.server.TestService.expect;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * 12,000 malformed or hostile requests from a seeded generator — garbage and truncated JSON,
 * wrong types, deep nesting, bodies over the limit, oversized batches, unknown models, ids and
 * classes, odd paths and bad auth — get 4xx answers, never a 5xx, and the service is healthy
 * and learns correctly afterwards.
 */
class FuzzTest {
    private static final int REQUESTS = 12_000;
    /** The routes with their own method, and some that do not exist; the model "m" is never deleted. */
    private static final List<String> ROUTES = List.of("POST /v1/models", "GET /v1/models/m", "POST /v1/models/m/predict",
            "POST /v1/models/m/predict/batch", "POST /v1/models/m/labels", "POST /v1/models/m/events",
            "GET /v1/models/m/predictions/x", "GET /v1/models/m/drifts", "GET /v1/models/m/versions",
            "POST /v1/models/m/rollback", "POST /v1/keys", "POST /v1/models/nope/predict",
            "POST /v1/models/..%2F..%2Fetc/predict", "POST /v1/models/%00/labels", "GET /v1/models/m/predictions/%2e%2e",
            "POST /v1/", "POST /v1/models/m/predict/batch/extra", "DELETE /v1/models/nope");
    private static final List<String> METHODS = List.of("GET", "POST", "PUT", "PATCH", "HEAD", "OPTIONS");

    @TempDir
    Path dataDir;

    private final HttpClient http = HttpClient.newBuilder().version(HttpClient.Version.HTTP_1_1).build();

    @Test
    void hostileRequests_neverGetA5xx() throws Exception {
        try (TestService service = new TestService(dataDir)) {
            expect(201, service.post("/v1/models", ServiceApiTest.modelRequest("m", "hat")));
            String predictOnly = expect(201, service.post("/v1/keys", new JsonObject().put("roles", new JsonArray().add("predict"))))
                    .getString("key");
            Random random = new Random(42);
            Map<Integer, Integer> statuses = new TreeMap<>();
            for (int i = 0; i < REQUESTS; i++) {
                String[] route = ROUTES.get(random.nextInt(ROUTES.size())).split(" ");
                String method = random.nextInt(5) == 0 ? METHODS.get(random.nextInt(METHODS.size())) : route[0];
                String path = route[1];
                String body = body(random, i);
                String auth = auth(random, predictOnly);
                HttpRequest.Builder request = HttpRequest.newBuilder(URI.create("http://127.0.0.1:" + service.port() + path))
                        .timeout(Duration.ofSeconds(30)).method(method, body == null ? HttpRequest.BodyPublishers.noBody() : HttpRequest.BodyPublishers.ofString(body));
                if (auth != null) {
                    request.header("Authorization", auth);
                }
                if (random.nextInt(4) > 0) {
                    request.header("Content-Type", random.nextBoolean() ? "application/json" : "text/plain; charset=latin1");
                }
                HttpResponse<String> response = http.send(request.build(), HttpResponse.BodyHandlers.ofString());
                statuses.merge(response.statusCode(), 1, Integer::sum);
                assertTrue(response.statusCode() < 500, "request " + i + ": " + method + " " + path + " with "
                        + (body == null ? "no body" : body.substring(0, Math.min(200, body.length()))) + " → "
                        + response.statusCode() + " " + response.body());
            }
            System.out.println("fuzz statuses: " + statuses);
            assertTrue(statuses.keySet().containsAll(List.of(400, 401, 403, 404, 413, 422)), "the generator reaches every refusal: "
                    + statuses);

            assertEquals(200, service.send("GET", "/health/ready", null, null).statusCode());
            JsonObject f = new JsonObject().put("amount", 80.0).put("hour", 2).put("channel", "web");
            expect(200, service.post("/v1/models/m/predict", new JsonObject().put("id", "after").put("features", f)));
            JsonObject learned = expect(202, service.post("/v1/models/m/labels", new JsonObject().put("id", "after").put("label", "fraud")));
            JsonObject model = expect(200, service.get("/v1/models/m"));
            assertEquals(learned.getLong("version"), model.getLong("version"));
            assertEquals(model.getLong("learned"), model.getJsonObject("labels").getLong("learned"),
                    "every learned event came from an accepted label or event");
        }
    }

    private static String auth(Random random, String predictOnly) {
        return switch (random.nextInt(9)) {
            case 0 -> null;
            case 1 -> "Bearer";
            case 2 -> "Basic dXNlcjpwYXNz";
            case 3 -> "Bearer " + "k".repeat(10_000);
            case 4 -> "Bearer vigie_" + random.nextLong();
            case 5 -> "Bearer " + predictOnly;
            default -> "Bearer " + TestService.ADMIN; // mostly authorised, so the bodies reach the handlers
        };
    }

    private static String body(Random random, int i) {
        JsonObject valid = new JsonObject().put("id", "e" + i)
                .put("features", new JsonObject().put("amount", 12.5).put("hour", 3).put("channel", "pos")).put("label", "ok");
        return switch (random.nextInt(20)) {
            case 0 -> null;
            case 1 -> "";
            case 2 -> randomBytes(random, 1 + random.nextInt(300));
            case 3 -> valid.encode().substring(0, random.nextInt(valid.encode().length()));
            case 4 -> "[".repeat(2000 + random.nextInt(5000)) + "]".repeat(100);
            case 5 -> "{\"a\":".repeat(3000) + "1" + "}".repeat(3000);
            case 6 -> i % 40 == 6 ? "{\"id\":\"" + "x".repeat(5 << 20) + "\"}" : "{\"id\":\"" + "x".repeat(300) + "\"}";
            case 7 -> valid.copy().put("id", randomValue(random)).encode();
            case 8 -> valid.copy().put("features", randomValue(random)).encode();
            case 9 -> valid.copy().put("label", random.nextBoolean() ? "maybe" : randomValue(random)).encode();
            case 10 -> valid.copy().put("features", new JsonObject().put("amount", randomValue(random)).put("hour", "3")
                    .put("channel", random.nextBoolean() ? "atm" : 7).put("extra", 1)).encode();
            case 11 -> new JsonObject().put("events", batch(random, 1001 + random.nextInt(10))).encode();
            case 12 -> new JsonObject().put("events", batch(random, 1 + random.nextInt(5))).put("labels", randomValue(random)).encode();
            case 13 -> new JsonObject().put("labels", new JsonArray().add(randomValue(random)).add(valid)).encode();
            case 14 -> new JsonObject().put("version", randomValue(random)).put("roles", randomValue(random)).encode();
            case 15 -> ServiceApiTest.modelRequest(random.nextBoolean() ? "m" : "Bad/Name", randomModel(random)).encode();
            case 16 -> "{\"amount\": 1e999999, \"hour\": -0, \"id\": 123456789012345678901234567890}";
            case 17 -> new JsonObject().put("name", "n" + random.nextInt(3)).put("schema", randomValue(random)).encode();
            case 18 -> "\uFEFF" + valid.encode();
            default -> valid.encode();
        };
    }

    private static JsonArray batch(Random random, int size) {
        JsonArray events = new JsonArray();
        for (int i = 0; i < size; i++) {
            events.add(random.nextInt(10) == 0 ? randomValue(random)
                    : new JsonObject().put("id", "b" + i).put("features", new JsonObject().put("amount", i).put("hour", 1)
                    .put("channel", "web")).put("label", "fraud"));
        }
        return events;
    }

    private static String randomModel(Random random) {
        return List.of("hat", "nosuch", "trees.HoeffdingTree -g -5", "moa.tasks.EvaluatePrequential", "java.lang.Runtime",
                "meta.AdaptiveRandomForest -s 1000000", "(", "").get(random.nextInt(8));
    }

    private static Object randomValue(Random random) {
        return switch (random.nextInt(9)) {
            case 0 -> null;
            case 1 -> random.nextLong();
            case 2 -> random.nextDouble() * 1e300;
            case 3 -> "s".repeat(random.nextInt(500));
            case 4 -> new JsonArray().add(1).add("two");
            case 5 -> new JsonObject().put("nested", new JsonObject().put("x", 1));
            case 6 -> random.nextBoolean();
            case 7 -> "\u0000\uD800ü\n";
            default -> -1;
        };
    }

    private static String randomBytes(Random random, int n) {
        byte[] bytes = new byte[n];
        random.nextBytes(bytes);
        return new String(bytes, StandardCharsets.ISO_8859_1);
    }
}
