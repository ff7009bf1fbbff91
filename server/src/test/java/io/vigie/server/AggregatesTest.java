package io.vigie.server;

import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.net.http.HttpResponse;
import java.nio.file.Path;
import java.time.Instant;

import static io.vigie.server.TestService.expect;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * Features the service computes from the events of the same entity: posted raw, scored with them,
 * stored with them (so a label learns what was scored), and carried across a restart.
 */
class AggregatesTest {
    private static final Instant DAY0 = Instant.parse("2018-04-01T00:00:00Z");

    @TempDir
    Path dataDir;

    private static JsonObject model() {
        JsonArray features = new JsonArray().add(new JsonObject().put("name", "amount"))
                .add(new JsonObject().put("name", "card_tx_1d")).add(new JsonObject().put("name", "card_mean_amount_7d"));
        return new JsonObject().put("name", "m").put("model", "nb")
                .put("schema", new JsonObject().put("features", features).put("classes", new JsonArray().add("ok").add("fraud")))
                .put("keys", new JsonArray().add("card"))
                .put("aggregates", new JsonArray()
                        .add(new JsonObject().put("feature", "card_tx_1d").put("key", "card").put("function", "count").put("window", "P1D"))
                        .add(new JsonObject().put("feature", "card_mean_amount_7d").put("key", "card").put("function", "mean")
                                .put("of", "amount").put("window", "P7D")));
    }

    private static JsonObject event(String id, String card, double amount, Instant time) {
        return new JsonObject().put("id", id).put("features", new JsonObject().put("amount", amount)).put("time", time.toString())
                .put("keys", new JsonObject().put("card", card));
    }

    private static JsonObject features(TestService service, String id) throws Exception {
        return expect(200, service.get("/v1/models/m/predictions/" + id)).getJsonObject("features");
    }

    @Test
    void aCardsWindows_areComputedFromItsEarlierEvents_andSurviveARestart() throws Exception {
        try (TestService service = new TestService(dataDir)) {
            expect(201, service.post("/v1/models", model()));
            JsonArray batch = new JsonArray().add(event("a", "c1", 10, DAY0)).add(event("b", "c1", 30, DAY0.plusSeconds(3600)))
                    .add(event("c", "c2", 99, DAY0.plusSeconds(3700)));
            expect(200, service.post("/v1/models/m/predict/batch", new JsonObject().put("events", batch)));
            assertEquals(new JsonObject().put("amount", 10.0).put("card_tx_1d", 1.0).put("card_mean_amount_7d", 10.0), features(service, "a"));
            assertEquals(new JsonObject().put("amount", 30.0).put("card_tx_1d", 2.0).put("card_mean_amount_7d", 20.0), features(service, "b"),
                    "an event sees those of its card before it, in the same batch too");
            assertEquals(1.0, features(service, "c").getDouble("card_tx_1d"), "another card has its own windows");

            JsonObject explained = expect(200, service.post("/v1/models/m/predict?explain=true", event("e", "c1", 50, DAY0.plusSeconds(3800))));
            assertEquals(new JsonObject().put("card_tx_1d", 3.0).put("card_mean_amount_7d", 30.0), explained.getJsonObject("computed"),
                    "?explain=true says what the service computed");
            HttpResponse<String> sent = service.post("/v1/models/m/predict",
                    event("x", "c1", 5, DAY0.plusSeconds(4000)).put("features", new JsonObject().put("amount", 5).put("card_tx_1d", 3)));
            assertEquals(422, sent.statusCode());
            assertTrue(sent.body().contains("computed by the service"), sent.body());
            JsonObject noCard = new JsonObject().put("id", "n").put("features", new JsonObject().put("amount", 1.0));
            expect(200, service.post("/v1/models/m/predict", noCard));
            assertEquals(null, features(service, "n").getValue("card_tx_1d"), "without its key, an aggregate is a missing value");
        }
        try (TestService service = new TestService(dataDir)) {
            // two days on: the first day's count window has passed, the mean's 7 days have not
            expect(200, service.post("/v1/models/m/predict", event("d", "c1", 60, DAY0.plusSeconds(2 * 86_400))));
            assertEquals(new JsonObject().put("amount", 60.0).put("card_tx_1d", 1.0).put("card_mean_amount_7d", 150 / 4.0), features(service, "d"));
            JsonObject definition = expect(200, service.get("/v1/models/m")).getJsonObject("definition");
            assertEquals(2, definition.getJsonArray("aggregates").size());
        }
    }

    @Test
    void aTerminalsFraudRate_countsTheFraudsLearnedInAWindowEndingADayBack() throws Exception {
        JsonArray features = new JsonArray().add(new JsonObject().put("name", "amount")).add(new JsonObject().put("name", "terminal_risk"));
        JsonObject model = new JsonObject().put("name", "t").put("model", "nb")
                .put("schema", new JsonObject().put("features", features).put("classes", new JsonArray().add("ok").add("fraud")))
                .put("keys", new JsonArray().add("terminal"))
                .put("aggregates", new JsonArray().add(new JsonObject().put("feature", "terminal_risk").put("key", "terminal")
                        .put("function", "positive_rate").put("window", "P7D").put("delay", "P1D")));
        try (TestService service = new TestService(dataDir)) {
            expect(201, service.post("/v1/models", model));
            JsonArray day0 = new JsonArray();
            for (int i = 0; i < 4; i++) {
                day0.add(new JsonObject().put("id", "p" + i).put("features", new JsonObject().put("amount", 10.0 * i))
                        .put("time", DAY0.plusSeconds(600L * i).toString()).put("keys", new JsonObject().put("terminal", "T1")));
            }
            expect(200, service.post("/v1/models/t/predict/batch", new JsonObject().put("events", day0)));
            expect(202, service.post("/v1/models/t/labels", new JsonObject().put("id", "p2").put("label", "fraud")
                    .put("time", DAY0.plusSeconds(86_400).toString())));
            expect(202, service.post("/v1/models/t/labels", new JsonObject().put("id", "p3").put("label", "ok")
                    .put("time", DAY0.plusSeconds(86_400).toString())));
            JsonObject later = new JsonObject().put("id", "q").put("features", new JsonObject().put("amount", 1.0))
                    .put("time", DAY0.plusSeconds(86_400 + 7200).toString()).put("keys", new JsonObject().put("terminal", "T1"));
            JsonObject answer = expect(200, service.post("/v1/models/t/predict?explain=true", later));
            assertEquals(0.25, answer.getJsonObject("computed").getDouble("terminal_risk"), "one fraud learned among the 4 of a day back");
            assertEquals(0.0, expect(200, service.get("/v1/models/t/predictions/p3")).getJsonObject("features").getDouble("terminal_risk"),
                    "on day 0 the window a day back was empty");
        }
    }

    @Test
    void aggregates_areCheckedWhenTheModelIsCreated() throws Exception {
        try (TestService service = new TestService(dataDir)) {
            JsonObject twice = model();
            twice.getJsonArray("aggregates").add(twice.getJsonArray("aggregates").getJsonObject(0).copy());
            assertEquals(422, service.post("/v1/models", twice).statusCode(), "one feature computed twice");
            JsonObject unknownKey = model();
            unknownKey.getJsonArray("aggregates").getJsonObject(0).put("key", "terminal");
            assertEquals(422, service.post("/v1/models", unknownKey).statusCode());
            JsonObject meanOfComputed = model();
            meanOfComputed.getJsonArray("aggregates").getJsonObject(1).put("of", "card_tx_1d");
            HttpResponse<String> refused = service.post("/v1/models", meanOfComputed);
            assertEquals(422, refused.statusCode());
            assertTrue(refused.body().contains("computed"), refused.body());
            JsonObject badWindow = model();
            badWindow.getJsonArray("aggregates").getJsonObject(0).put("window", "a day");
            assertEquals(422, service.post("/v1/models", badWindow).statusCode());
            JsonObject sum = model();
            sum.getJsonArray("aggregates").getJsonObject(0).put("function", "sum");
            assertEquals(422, service.post("/v1/models", sum).statusCode());
        }
    }
}
