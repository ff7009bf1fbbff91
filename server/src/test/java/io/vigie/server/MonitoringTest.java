package io.vigie.server;

import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;
import io.vigie.datasets.Streams;
import io.vigie.learner.EventStream;
import io.vigie.learner.LabelledEvent;
import io.vigie.learner.Schema;
import io.vigie.server.wire.DefinitionJson;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Random;
import java.util.Set;

import static io.vigie.server.TestService.expect;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** Drift, timeline, metrics and explanations of a model fed through the real service. */
class MonitoringTest {
    private static final int SHIFT = 3000;
    private static final int EVENTS = 6000;

    @TempDir
    Path dataDir;

    /**
     * Agrawal function 1 (the class depends on age only); from event 3000 on only applicants
     * earning 100,000 or more: the salary and commission distributions move, the concept does not.
     */
    @Test
    void aVirtualDrift_showsInDriftsTimelineAndMetrics_andSurvivesARestart() throws Exception {
        JsonObject timeline;
        JsonObject input;
        try (TestService service = new TestService(dataDir);
             EventStream stream = Streams.open("generator:generators.AgrawalGenerator -f 1 -i 3", null, null, Set.of(), 10 * EVENTS)) {
            Schema schema = stream.schema();
            expect(201, service.post("/v1/models", new JsonObject().put("name", "agrawal")
                    .put("model", "committee -e ht,hat,nb,nochange").put("seed", 4).put("schema", DefinitionJson.schema(schema))));
            for (int sent = 0; sent < EVENTS; sent += 500) {
                List<LabelledEvent> batch = new ArrayList<>();
                while (batch.size() < 500) {
                    LabelledEvent event = stream.next();
                    if (sent >= SHIFT && event.instance().value(0) < 100_000) {
                        continue; // attribute 0 is the salary
                    }
                    batch.add(event);
                }
                service.scoreThenLabel("agrawal", schema, batch, "e", sent);
            }

            JsonObject drifts = expect(200, service.get("/v1/models/agrawal/drifts"));
            assertEquals(new JsonArray(), drifts.getJsonArray("events"), "the concept did not change: no member reset");
            input = drifts.getJsonObject("input");
            assertEquals(6, input.getLong("checks"));
            JsonArray alerts = input.getJsonArray("alerts");
            for (int i = 0; i < alerts.size(); i++) {
                JsonObject alert = alerts.getJsonObject(i);
                if (alert.getString("severity").equals("alert")) {
                    assertTrue(alert.getLong("observed") > SHIFT, "no alert before the shift: " + alert);
                }
            }
            assertTrue(alerts.stream().map(JsonObject.class::cast).anyMatch(a -> a.getString("channel").equals("salary")
                    && a.getString("severity").equals("alert") && a.getLong("observed") == SHIFT + 1000), alerts.encodePrettily());
            JsonArray history = input.getJsonArray("history");
            assertEquals(6, history.size());
            int salary = input.getJsonArray("channels").getList().indexOf("salary");
            assertEquals("alert", history.getJsonObject(3).getJsonArray("severities").getString(salary), "the heatmap cell");

            timeline = expect(200, service.get("/v1/models/agrawal/timeline"));
            JsonArray points = timeline.getJsonArray("points");
            assertEquals(6, points.size(), "one point per 1000 labels");
            assertEquals(4, timeline.getJsonArray("members").size());
            for (int i = 0; i < points.size(); i++) {
                JsonObject point = points.getJsonObject(i);
                assertEquals(1000L * (i + 1), point.getLong("learned"));
                assertEquals(4, point.getJsonArray("members").size(), "each member's accuracy");
                assertTrue(point.getDouble("accuracy") >= 0 && point.getDouble("accuracy") <= 1);
                assertTrue(point.getValue("pr_auc") != null, "two classes: PR-AUC");
            }
            assertTrue(points.getJsonObject(5).getDouble("accuracy") > 0.9, "function 1 is easy once learned");
            assertEquals(6, timeline.getJsonArray("uncertainty").size());
            assertTrue(timeline.getJsonArray("markers").stream().map(JsonObject.class::cast)
                    .anyMatch(m -> m.getString("kind").equals("input_drift") && m.getString("detail").equals("salary alert")));

            String metrics = service.send("GET", "/metrics", null, null).body();
            assertTrue(metrics.contains("vigie_input_drift_effect{channel=\"salary\",model=\"agrawal\"}"), "per-channel effect gauge");
            assertTrue(metrics.contains("vigie_recent_entropy_mean{model=\"agrawal\"}"));
            double alertCount = metrics.lines().filter(l -> l.startsWith("vigie_input_drift_alerts_total{model=\"agrawal\",severity=\"alert\"}"))
                    .mapToDouble(l -> Double.parseDouble(l.substring(l.lastIndexOf(' ') + 1))).sum();
            assertTrue(alertCount >= 2, "salary and commission alerted: " + alertCount);
        }
        try (TestService restarted = new TestService(dataDir)) {
            assertEquals(timeline, expect(200, restarted.get("/v1/models/agrawal/timeline")), "kept in the shutdown snapshot");
            assertEquals(input, expect(200, restarted.get("/v1/models/agrawal/drifts")).getJsonObject("input"));
        }
    }

    /**
     * Agrawal function 2, then from event 30,000 function 3: the applicants are drawn alike, only
     * the concept changes, so no input monitor can see it. Labels come four batches (2,000 events)
     * late; the first window of labels after the change falls short of the accuracy its answers
     * were estimated to reach when they were given.
     */
    @Test
    void aConceptDrift_fallsShortOfTheEstimate_onTheTimelineAndInMetrics() throws Exception {
        int drift = 30_000;
        int events = 33_000;
        try (TestService service = new TestService(dataDir);
             EventStream stream = Streams.open("generator:ConceptDriftStream -s (generators.AgrawalGenerator -f 2 -i 3) "
                     + "-d (generators.AgrawalGenerator -f 3 -i 3) -p " + drift + " -w 1", null, null, Set.of(), events)) {
            Schema schema = stream.schema();
            expect(201, service.post("/v1/models", new JsonObject().put("name", "agrawal").put("model", "hat")
                    .put("schema", DefinitionJson.schema(schema))));
            java.util.ArrayDeque<JsonArray> late = new java.util.ArrayDeque<>();
            for (int sent = 0; sent < events; sent += 500) {
                List<LabelledEvent> batch = new ArrayList<>();
                while (batch.size() < 500) {
                    batch.add(stream.next());
                }
                late.addLast(service.score("agrawal", schema, batch, "e", sent));
                if (late.size() > 4) {
                    service.label("agrawal", late.removeFirst());
                }
            }
            while (!late.isEmpty()) {
                service.label("agrawal", late.removeFirst());
            }

            JsonObject timeline = expect(200, service.get("/v1/models/agrawal/timeline"));
            JsonArray points = timeline.getJsonArray("points");
            assertEquals(events / 1000, points.size());
            for (int i = 0; i < points.size(); i++) {
                JsonObject point = points.getJsonObject(i);
                long learned = point.getLong("learned");
                if (learned <= 2000) { // answers given before any label came have no estimate
                    assertEquals(null, point.getValue("estimated_accuracy"), point.encode());
                }
                if (learned >= 20_000 && learned <= drift) { // once the model has settled
                    assertEquals(point.getDouble("accuracy"), point.getDouble("estimated_accuracy"), 0.05, "estimated before the labels: " + point);
                    assertEquals(false, point.getBoolean("estimate_gap"), point.encode());
                }
                if (learned == drift + 1000) {
                    assertEquals(true, point.getBoolean("estimate_gap"), "the first window after the change: " + point);
                    assertTrue(point.getDouble("estimated_accuracy") - point.getDouble("accuracy") > point.getDouble("estimate_band"));
                }
            }
            assertTrue(timeline.getJsonArray("markers").stream().map(JsonObject.class::cast)
                    .anyMatch(m -> m.getString("kind").equals("estimate_gap") && m.getLong("learned") == drift + 1000), timeline.encodePrettily());
            JsonObject predictions = timeline.getJsonArray("uncertainty").getJsonObject(timeline.getJsonArray("uncertainty").size() - 1);
            JsonObject estimated = predictions.getJsonObject("estimated");
            assertTrue(estimated.getDouble("accuracy") > 0.5 && estimated.getDouble("accuracy") < 1, predictions.encode());
            assertTrue(estimated.getDouble("precision") > 0 && estimated.getDouble("pr_auc") > 0, "a binary model's estimates: " + estimated);

            String metrics = service.send("GET", "/metrics", null, null).body();
            assertEquals(estimated.getDouble("accuracy"), gauge(metrics, "vigie_estimated_accuracy_ratio{model=\"agrawal\"}"), 1e-9);
            assertEquals(estimated.getDouble("pr_auc"), gauge(metrics, "vigie_estimated_pr_auc_ratio{model=\"agrawal\"}"), 1e-9);
            double gap = gauge(metrics, "vigie_estimate_gap{model=\"agrawal\"}");
            assertEquals(points.getJsonObject(points.size() - 1).getBoolean("estimate_gap") ? 1.0 : 0.0, gap, "the latest window's gap");

            JsonObject model = expect(200, service.get("/v1/models/agrawal")).getJsonObject("metrics");
            assertEquals(estimated, model.getJsonObject("estimated"), "the model's latest estimate is the timeline's");
            assertEquals(points.getJsonObject(points.size() - 1).getBoolean("estimate_gap"), model.getJsonObject("window").getBoolean("estimate_gap"));
        }
    }

    private static double gauge(String metrics, String series) {
        return metrics.lines().filter(l -> l.startsWith(series + " ")).mapToDouble(l -> Double.parseDouble(l.substring(l.lastIndexOf(' ') + 1)))
                .findFirst().orElseThrow(() -> new AssertionError(series + " not in /metrics"));
    }

    @Test
    void explain_givesATreesDecisionPathAndACommitteesVotesAndWeights() throws Exception {
        try (TestService service = new TestService(dataDir)) {
            expect(201, service.post("/v1/models", ServiceApiTest.modelRequest("tree", "trees.HoeffdingTree -g 50")));
            expect(201, service.post("/v1/models", ServiceApiTest.modelRequest("committee", "committee -e hat,nb")));
            Random random = new Random(3);
            JsonArray events = new JsonArray();
            for (int i = 0; i < 1500; i++) {
                JsonObject f = ServiceApiTest.features(random);
                events.add(new JsonObject().put("id", "tx" + i).put("features", f).put("label", ServiceApiTest.truth(f)));
                if (events.size() == 500) {
                    expect(202, service.post("/v1/models/tree/events", new JsonObject().put("events", events)));
                    expect(202, service.post("/v1/models/committee/events", new JsonObject().put("events", events)));
                    events = new JsonArray();
                }
            }
            JsonObject night = new JsonObject().put("amount", 95.0).put("hour", 2).put("channel", "web");

            JsonObject tree = expect(200, service.post("/v1/models/tree/predict?explain=true", new JsonObject().put("id", "q1").put("features", night)));
            JsonObject why = tree.getJsonObject("explanation");
            assertEquals(tree.getString("label"), why.getString("label"));
            JsonArray path = why.getJsonArray("path");
            assertTrue(path != null && !path.isEmpty(), "the tree has split: " + why);
            assertTrue(path.stream().allMatch(c -> ((String) c).matches("(amount|hour|channel) .*")), path.encode());

            JsonObject committee = expect(200, service.post("/v1/models/committee/predict?explain=true",
                    new JsonObject().put("id", "q2").put("features", night)));
            JsonObject votes = committee.getJsonObject("explanation");
            assertEquals(committee.getJsonObject("probabilities"), votes.getJsonObject("probabilities"));
            JsonArray members = votes.getJsonArray("members");
            assertEquals(2, members.size());
            double weights = members.stream().mapToDouble(m -> ((JsonObject) m).getDouble("weight")).sum();
            assertEquals(1.0, weights, 1e-9);
            assertTrue(members.getJsonObject(0).containsKey("path"), "the adaptive tree member gives its path");

            JsonObject plain = expect(200, service.post("/v1/models/committee/predict", new JsonObject().put("id", "q3").put("features", night)));
            assertTrue(!plain.containsKey("explanation"), "only when asked");
            JsonObject problem = expect(400, service.post("/v1/models/committee/predict?explain=yes",
                    new JsonObject().put("id", "q4").put("features", night)));
            assertTrue(problem.getString("detail").contains("explain"), problem.encode());
        }
    }
}
