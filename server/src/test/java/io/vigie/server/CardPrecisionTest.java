package io.vigie.server;

import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.net.http.HttpResponse;
import java.nio.file.Path;
import java.time.Instant;
import java.util.Random;

import static io.vigie.server.TestService.expect;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * Events carry entity keys; a binary model that ranks one of them shows each day's card precision
 * at k, rising as the day's chargebacks come, and keeps it across a restart.
 */
class CardPrecisionTest {
    private static final Instant DAY0 = Instant.parse("2018-04-01T00:00:00Z");

    @TempDir
    Path dataDir;

    private static JsonObject model() {
        return ServiceApiTest.modelRequest("m", "nb").put("keys", new JsonArray().add("card").add("terminal"))
                .put("card_precision", new JsonObject().put("key", "card").put("k", 5));
    }

    @Test
    void eachDaysTopCards_areScoredAgainstTheFraudsLearned() throws Exception {
        Random random = new Random(8);
        JsonArray answers = new JsonArray();
        try (TestService service = new TestService(dataDir)) {
            expect(201, service.post("/v1/models", model()));
            JsonArray training = new JsonArray(); // learned the day before, so that scores differ from card to card
            for (int i = 0; i < 300; i++) {
                JsonObject features = ServiceApiTest.features(random);
                training.add(new JsonObject().put("id", "train" + i).put("features", features).put("label", ServiceApiTest.truth(features))
                        .put("time", DAY0.minusSeconds(86_400 - i).toString()));
            }
            expect(202, service.post("/v1/models/m/events", new JsonObject().put("events", training)));
            JsonArray events = new JsonArray();
            for (int i = 0; i < 200; i++) {
                events.add(new JsonObject().put("id", "tx" + i).put("features", ServiceApiTest.features(random))
                        .put("time", DAY0.plusSeconds(i * 60L).toString())
                        .put("keys", new JsonObject().put("card", "card-" + i % 40).put("terminal", i % 7)));
            }
            expect(200, service.post("/v1/models/m/predict/batch", new JsonObject().put("events", events)))
                    .getJsonArray("predictions").forEach(answers::add);
            JsonObject day = expect(200, service.get("/v1/models/m")).getJsonArray("days").getJsonObject(0);
            assertEquals("2018-04-01", day.getString("day"), "labelled events are learned, not scored traffic");
            assertEquals(200, day.getLong("scored"));
            assertEquals(0.0, day.getDouble("card_precision"), "no fraud is known yet");

            // the day's five cards with the highest fraud score, worked out here from the answers
            java.util.Map<String, Double> best = new java.util.HashMap<>();
            for (int i = 0; i < 200; i++) {
                double score = answers.getJsonObject(i).getJsonObject("probabilities").getDouble("fraud");
                best.merge("card-" + i % 40, score, Math::max);
            }
            java.util.List<String> top = best.entrySet().stream().sorted(java.util.Map.Entry.<String, Double>comparingByValue().reversed())
                    .limit(5).map(java.util.Map.Entry::getKey).toList();
            String inTop = top.get(0);
            String outside = best.keySet().stream().filter(c -> !top.contains(c)).findFirst().orElseThrow();
            // a chargeback for a transaction of a top card, and one of a card outside the top five
            expect(202, service.post("/v1/models/m/labels", new JsonObject().put("id", "tx" + inTop.substring(5)).put("label", "fraud")
                    .put("time", DAY0.plusSeconds(3 * 86_400).toString())));
            expect(202, service.post("/v1/models/m/labels", new JsonObject().put("id", "tx" + outside.substring(5)).put("label", "fraud")
                    .put("time", DAY0.plusSeconds(3 * 86_400).toString())));
            day = expect(200, service.get("/v1/models/m")).getJsonArray("days").getJsonObject(0);
            assertEquals(1 / 5.0, day.getDouble("card_precision"), 1e-12, "one of the day's five cards turned out compromised: " + top);

            String metrics = service.get("/metrics").body();
            assertTrue(metrics.contains("vigie_card_precision_ratio{model=\"m\"} 0.2"), "day 0 is the latest complete day: " + metrics);
            assertEquals(1 / 5.0, expect(200, service.get("/v1/models/m/timeline")).getJsonArray("days").getJsonObject(0)
                    .getDouble("card_precision"), 1e-12, "the timeline shows the days too");

            JsonObject stored = expect(200, service.get("/v1/models/m/predictions/tx3"));
            assertEquals(new JsonObject().put("card", "card-3").put("terminal", "3"), stored.getJsonObject("keys"));
        }
        try (TestService service = new TestService(dataDir)) {
            JsonObject day = expect(200, service.get("/v1/models/m")).getJsonArray("days").getJsonObject(0);
            assertEquals(1 / 5.0, day.getDouble("card_precision"), 1e-12, "kept in the snapshot");
        }
    }

    @Test
    void keysAndTheirRanking_areChecked() throws Exception {
        try (TestService service = new TestService(dataDir)) {
            HttpResponse<String> undeclared = service.post("/v1/models", ServiceApiTest.modelRequest("x", "nb")
                    .put("card_precision", new JsonObject().put("key", "card")));
            assertEquals(422, undeclared.statusCode());
            assertTrue(undeclared.body().contains("'keys'"), undeclared.body());
            assertEquals(422, service.post("/v1/models", ServiceApiTest.modelRequest("x", "nb")
                    .put("keys", new JsonArray().add("card").add("card"))).statusCode(), "a key named twice");
            expect(201, service.post("/v1/models", model()));
            JsonObject event = new JsonObject().put("id", "a").put("features", ServiceApiTest.features(new Random(1)));
            HttpResponse<String> unknownKey = service.post("/v1/models/m/predict", event.copy().put("keys", new JsonObject().put("merchant", "M1")));
            assertEquals(422, unknownKey.statusCode());
            assertTrue(unknownKey.body().contains("merchant"), unknownKey.body());
            assertEquals(400, service.post("/v1/models/m/predict", event.copy().put("keys", new JsonObject().put("card", true))).statusCode());
            assertEquals(422, service.post("/v1/models/m/predict", event.copy().put("keys", new JsonObject().put("card", ""))).statusCode());
            expect(200, service.post("/v1/models/m/predict", event.copy().put("keys", new JsonObject().put("terminal", "T1"))));
            assertEquals(new JsonObject().put("terminal", "T1"), expect(200, service.get("/v1/models/m/predictions/a")).getJsonObject("keys"),
                    "a key left out stays out");
        }
    }
}
