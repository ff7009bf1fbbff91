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

/**
 * A binary model's operating point from class costs: it alerts wherever an alert is the cheaper
 * error in expectation, which on a stream with one fraud in ten finds more frauds than the most
 * probable class does; precision and recall at that point are in its state and in /metrics.
 */
class CostsTest {
    @TempDir
    Path dataDir;

    private static JsonObject costs(double missed, double falseAlert) {
        return new JsonObject().put("missed", missed).put("false_alert", falseAlert);
    }

    /** Scores and labels the same 3,000 events through a model; returns what it answered. */
    private static JsonArray run(TestService service, String model) throws Exception {
        Random random = new Random(11);
        JsonArray answers = new JsonArray();
        for (int batch = 0; batch < 30; batch++) {
            JsonArray events = new JsonArray();
            JsonArray labels = new JsonArray();
            for (int i = 0; i < 100; i++) {
                JsonObject features = ServiceApiTest.features(random);
                String id = "e" + batch + "-" + i;
                events.add(new JsonObject().put("id", id).put("features", features));
                labels.add(new JsonObject().put("id", id).put("label", ServiceApiTest.truth(features)));
            }
            expect(200, service.post("/v1/models/" + model + "/predict/batch", new JsonObject().put("events", events)))
                    .getJsonArray("predictions").forEach(answers::add);
            expect(202, service.post("/v1/models/" + model + "/labels", new JsonObject().put("labels", labels)));
        }
        return answers;
    }

    /**
     * Without costs, a committee on a stream where frauds are one in ten answers at its kappa line
     * (its experts' average seldom names the rare class); its state says how each model decides.
     */
    @Test
    void aCommittee_whereAClassIsRare_answersAtItsKappaLine_andTheStateSaysHowEachModelDecides() throws Exception {
        try (TestService service = new TestService(dataDir)) {
            expect(201, service.post("/v1/models", ServiceApiTest.modelRequest("committee", "committee -e nb,hat")));
            expect(201, service.post("/v1/models", ServiceApiTest.modelRequest("single", "nb")));
            expect(201, service.post("/v1/models", ServiceApiTest.modelRequest("costed", "nb").put("costs", costs(50, 1))));
            for (String model : new String[]{"committee", "single", "costed"}) {
                run(service, model);
            }
            JsonObject decision = expect(200, service.get("/v1/models/committee")).getJsonObject("decision");
            assertEquals("kappa_line", decision.getString("rule"), decision.encode());
            double line = decision.getDouble("line");
            assertTrue(line > 0 && line < 1, "a line between the classes: " + line);
            Random random = new Random(13);
            for (int i = 0; i < 300; i++) {
                JsonObject answer = expect(200, service.post("/v1/models/committee/predict",
                        new JsonObject().put("id", "after-" + i).put("features", ServiceApiTest.features(random))));
                double fraud = answer.getJsonObject("probabilities").getDouble("fraud");
                assertEquals(fraud >= line ? "fraud" : "ok", answer.getString("label"), answer.encode());
            }
            assertEquals(new JsonObject().put("rule", "most_probable_class").putNull("line"),
                    expect(200, service.get("/v1/models/single")).getJsonObject("decision"));
            assertEquals(new JsonObject().put("rule", "costs").put("line", 1 / 51.0),
                    expect(200, service.get("/v1/models/costed")).getJsonObject("decision"));
            String metrics = service.get("/metrics").body();
            assertTrue(metrics.contains("vigie_decision_line{model=\"costed\"} " + 1 / 51.0), metrics);
            assertTrue(metrics.contains("vigie_decision_line{model=\"committee\"} " + line), "the line the state shows");
            assertTrue(metrics.contains("vigie_decision_line{model=\"single\"} NaN"), metrics);
        }
    }

    @Test
    void costs_moveTheAlertLine_andTheFiguresShowItsPrecisionAndRecall() throws Exception {
        try (TestService service = new TestService(dataDir)) {
            expect(201, service.post("/v1/models", ServiceApiTest.modelRequest("argmax", "nb")));
            JsonObject created = expect(201, service.post("/v1/models", ServiceApiTest.modelRequest("costed", "nb")
                    .put("costs", costs(50, 1))));
            assertEquals("fraud", created.getJsonObject("definition").getJsonObject("costs").getString("positive"),
                    "the second class by default");
            JsonArray plain = run(service, "argmax");
            JsonArray costed = run(service, "costed");

            double threshold = 1 / 51.0;
            for (Object item : costed) {
                JsonObject answer = (JsonObject) item;
                double fraud = answer.getJsonObject("probabilities").getDouble("fraud");
                assertEquals(fraud >= threshold ? "fraud" : "ok", answer.getString("label"), answer.encode());
                assertTrue(!"expected_cost".equals(answer.getString("reason")), "costs replace the expected-cost rule");
            }
            long plainAlerts = plain.stream().filter(a -> "fraud".equals(((JsonObject) a).getString("label"))).count();
            long costedAlerts = costed.stream().filter(a -> "fraud".equals(((JsonObject) a).getString("label"))).count();
            assertTrue(costedAlerts > plainAlerts, "a missed fraud costs 50 alerts: more alerts " + costedAlerts + " vs " + plainAlerts);

            JsonObject argmaxFigures = expect(200, service.get("/v1/models/argmax")).getJsonObject("metrics").getJsonObject("cumulative");
            JsonObject costedFigures = expect(200, service.get("/v1/models/costed")).getJsonObject("metrics").getJsonObject("cumulative");
            assertTrue(costedFigures.getDouble("recall") > argmaxFigures.getDouble("recall"),
                    "more frauds found: " + costedFigures + " vs " + argmaxFigures);
            assertTrue(costedFigures.getDouble("precision") < argmaxFigures.getDouble("precision"), "at the price of more false alerts");
            long frauds = 0;
            long found = 0;
            Random random = new Random(11);
            for (Object item : costed) {
                boolean fraud = ServiceApiTest.truth(ServiceApiTest.features(random)).equals("fraud");
                frauds += fraud ? 1 : 0;
                found += fraud && "fraud".equals(((JsonObject) item).getString("label")) ? 1 : 0;
            }
            assertEquals((double) found / frauds, costedFigures.getDouble("recall"), 1e-12, "recall counted from the answers given");

            JsonObject state = expect(200, service.get("/v1/models/costed"));
            JsonArray days = state.getJsonArray("days");
            assertEquals(1, days.size(), "every event arrived today, without a time of its own: " + days);
            assertEquals(3000, days.getJsonObject(0).getLong("scored"));
            assertEquals(costedAlerts, days.getJsonObject(0).getLong("alerts"));
            JsonArray points = expect(200, service.get("/v1/models/costed/timeline")).getJsonArray("points");
            assertEquals(3, points.size(), "a point per 1000 labels");
            for (Object point : points) {
                double recall = ((JsonObject) point).getDouble("recall");
                assertTrue(recall > 0 && recall <= 1, point.toString());
            }

            String metrics = service.get("/metrics").body();
            assertTrue(metrics.contains("vigie_alerts_total{model=\"costed\"} " + costedAlerts + ".0"), metrics);
            assertTrue(metrics.contains("vigie_windowed_recall_ratio{model=\"costed\"}"), metrics);
            assertTrue(metrics.contains("vigie_windowed_precision_ratio{model=\"argmax\"}"), metrics);
        }
        try (TestService service = new TestService(dataDir)) { // the operating point is part of the model its snapshot restores
            JsonObject recovery = expect(200, service.get("/v1/models/costed")).getJsonObject("recovery");
            assertEquals(3000, recovery.getLong("snapshot"), recovery.encode());
            assertEquals(0, recovery.getLong("replayed"));
            Random random = new Random(12);
            long alerts = 0;
            for (int i = 0; i < 200; i++) {
                JsonObject answer = expect(200, service.post("/v1/models/costed/predict",
                        new JsonObject().put("id", "after-" + i).put("features", ServiceApiTest.features(random))));
                boolean alert = answer.getJsonObject("probabilities").getDouble("fraud") >= 1 / 51.0;
                assertEquals(alert ? "fraud" : "ok", answer.getString("label"));
                alerts += alert ? 1 : 0;
            }
            assertTrue(alerts > 0 && alerts < 200, "both sides of the line are met: " + alerts);
        }
    }

    @Test
    void anAlertBudget_spendsAboutItsAlertsADay() throws Exception {
        Random random = new Random(21);
        java.time.Instant day0 = java.time.Instant.parse("2018-04-01T00:00:00Z");
        try (TestService service = new TestService(dataDir)) {
            JsonObject created = expect(201, service.post("/v1/models", ServiceApiTest.modelRequest("budget", "nb")
                    .put("alert_budget", new JsonObject().put("per_day", 30))));
            assertEquals(30, created.getJsonObject("definition").getJsonObject("alert_budget").getInteger("per_day"));
            JsonArray training = new JsonArray();
            for (int i = 0; i < 1000; i++) {
                JsonObject features = ServiceApiTest.features(random);
                training.add(new JsonObject().put("id", "t" + i).put("features", features).put("label", ServiceApiTest.truth(features))
                        .put("time", day0.minusSeconds(1000 - i).toString()));
            }
            expect(202, service.post("/v1/models/budget/events", new JsonObject().put("events", training)));
            for (int day = 0; day < 3; day++) {
                for (int batch = 0; batch < 3; batch++) {
                    JsonArray events = new JsonArray();
                    for (int i = 0; i < 500; i++) {
                        long second = (batch * 500L + i) * 57;
                        events.add(new JsonObject().put("id", "d" + day + "-" + batch + "-" + i).put("features", ServiceApiTest.features(random))
                                .put("time", day0.plusSeconds(day * 86_400L + second).toString()));
                    }
                    expect(200, service.post("/v1/models/budget/predict/batch", new JsonObject().put("events", events)));
                }
            }
            JsonArray days = expect(200, service.get("/v1/models/budget")).getJsonArray("days");
            assertEquals(3, days.size());
            assertTrue(days.getJsonObject(0).getLong("alerts") > 60, "before a whole day is known the budget is not spent: " + days);
            for (int day = 1; day < 3; day++) {
                long alerts = days.getJsonObject(day).getLong("alerts");
                assertTrue(alerts >= 20 && alerts <= 45, "day " + day + " holds about its 30 alerts: " + days);
            }
            assertEquals(422, service.post("/v1/models", ServiceApiTest.modelRequest("both", "nb").put("costs", costs(5, 1))
                    .put("alert_budget", new JsonObject().put("per_day", 30))).statusCode(), "one alert line, not two");
        }
    }

    @Test
    void costs_areRefusedWhereTheyMeanNothing() throws Exception {
        try (TestService service = new TestService(dataDir)) {
            JsonObject threeClasses = ServiceApiTest.modelRequest("three", "nb").put("costs", costs(50, 1));
            threeClasses.getJsonObject("schema").put("classes", new JsonArray().add("ok").add("fraud").add("review"));
            HttpResponse<String> refused = service.post("/v1/models", threeClasses);
            assertEquals(422, refused.statusCode());
            assertTrue(refused.body().contains("binary"), refused.body());
            assertEquals(422, service.post("/v1/models", ServiceApiTest.modelRequest("m", "nb").put("costs", costs(0, 1))).statusCode());
            assertEquals(422, service.post("/v1/models", ServiceApiTest.modelRequest("m", "nb")
                    .put("costs", costs(5, 1).put("positive", "chargeback"))).statusCode());
            assertEquals(422, service.post("/v1/models", ServiceApiTest.modelRequest("m", "nb")
                    .put("costs", costs(5, 1).put("misssed", 3))).statusCode(), "a typo in a cost is not ignored");
            JsonObject okPositive = expect(201, service.post("/v1/models", ServiceApiTest.modelRequest("m", "nb")
                    .put("costs", costs(5, 1).put("positive", "ok"))));
            assertEquals("ok", okPositive.getJsonObject("definition").getJsonObject("costs").getString("positive"));
        }
    }
}
