package io.vigie.server;

import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Random;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;

import static io.vigie.server.TestService.expect;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** Challengers on the real service: shadow parity with vigie eval, promotion under load, rollback, canary split. */
class ChallengerTest {
    @TempDir
    Path dataDir;

    /**
     * Elec2 with a hat champion and an arf shadow challenger, one event per request and labels 200
     * events late: the comparison holds both on exactly the same events, and each side's numbers
     * are what {@code vigie eval} gives for that learner with the same delay.
     */
    @Test
    void aShadowChallengerOnElec2_isComparedOnTheSameEvents_asVigieEvalMeasuresEachLearner() throws Exception {
        Path elec2 = TestData.elec2();
        String[] stream = {"--data", elec2.toString(), "--delay", "200", "--limit", "1500"};
        JsonObject comparison;
        try (TestService service = new TestService(dataDir)) {
            Cli.Run replay = Cli.run(Cli.concat(new String[]{"replay", "--url", "http://127.0.0.1:" + service.port(), "--key", TestService.ADMIN,
                    "--name", "elec2", "--model", "hat", "--challengers", "arf", "--batch", "1"}, stream));
            assertEquals(0, replay.status(), replay.err());
            assertTrue(replay.out().contains("Challenger 'arf' on the same 1,500 events"), replay.out());
            comparison = expect(200, service.get("/v1/models/elec2/comparison"));
        }
        JsonObject arf = comparison.getJsonArray("challengers").getJsonObject(0);
        assertEquals("arf", arf.getString("name"));
        assertEquals(1500, arf.getLong("events"), "every event scored by both, labelled");
        assertSameNumbers(eval("hat", stream), arf.getJsonObject("champion").getJsonObject("whole"));
        assertSameNumbers(eval("arf", stream), arf.getJsonObject("challenger").getJsonObject("whole"));
        JsonObject mcnemar = arf.getJsonObject("mcnemar");
        assertTrue(mcnemar.getLong("champion_only_right") + mcnemar.getLong("challenger_only_right") > 0);
        assertTrue(mcnemar.getDouble("p_value") >= 0 && mcnemar.getDouble("p_value") <= 1);
    }

    private static void assertSameNumbers(JsonObject evaluated, JsonObject compared) {
        for (String metric : List.of("accuracy", "kappa", "coverage", "abstention_rate", "selective_accuracy", "pr_auc")) {
            assertEquals(evaluated.getDouble(metric), compared.getDouble(metric), metric + " of " + evaluated.getString("model"));
        }
        assertEquals(evaluated.getLong("instances"), compared.getLong("labelled"));
    }

    private static JsonObject eval(String model, String[] stream) {
        Cli.Run eval = Cli.run(Cli.concat(new String[]{"eval", "--json", "--model", model}, stream));
        assertEquals(0, eval.status(), eval.err());
        return new JsonObject(eval.lastLine());
    }

    /**
     * Predictions run without pause while a challenger is promoted: none fails, those after the
     * promotion come from the new champion, and a rollback to the version kept at promotion gives
     * back the former champion's answers exactly.
     */
    @Test
    void promotionUnderLoad_losesNoRequest_andRollbackRestoresTheFormerChampion() throws Exception {
        try (TestService service = new TestService(dataDir)) {
            expect(201, service.post("/v1/models", ServiceApiTest.modelRequest("cards", "hat")));
            expect(201, service.post("/v1/models/cards/challengers", new JsonObject().put("name", "forest").put("model", "arf")));
            Random random = new Random(11);
            feed(service, "cards", random, 2000);
            List<JsonObject> probes = features(random, 200);
            JsonArray before = probe(service, probes, "before");

            HttpClient http = HttpClient.newHttpClient();
            int total = 1500;
            AtomicInteger done = new AtomicInteger();
            CountDownLatch halfway = new CountDownLatch(1);
            List<CompletableFuture<HttpResponse<String>>> load = new ArrayList<>();
            CompletableFuture<Void> sender = CompletableFuture.runAsync(() -> {
                for (int i = 0; i < total; i++) {
                    JsonObject body = new JsonObject().put("id", "load" + i).put("features", probes.get(i % probes.size()));
                    CompletableFuture<HttpResponse<String>> response = http.sendAsync(HttpRequest.newBuilder(
                                    URI.create("http://127.0.0.1:" + service.port() + "/v1/models/cards/predict"))
                            .header("Authorization", "Bearer " + TestService.ADMIN).header("Content-Type", "application/json")
                            .POST(HttpRequest.BodyPublishers.ofString(body.encode())).build(), HttpResponse.BodyHandlers.ofString());
                    response.thenRun(() -> {
                        if (done.incrementAndGet() == total / 3) {
                            halfway.countDown();
                        }
                    });
                    synchronized (load) {
                        load.add(response);
                    }
                    if (i % 8 == 7) {
                        response.join(); // at most 8 in flight
                    }
                }
            });
            assertTrue(halfway.await(60, TimeUnit.SECONDS));
            JsonObject promoted = expect(200, service.post("/v1/models/cards/promote", new JsonObject().put("challenger", "forest")));
            sender.get(120, TimeUnit.SECONDS);
            long formerChampion = promoted.getLong("former_champion_version");
            int fromNewChampion = 0;
            for (CompletableFuture<HttpResponse<String>> response : load) {
                HttpResponse<String> r = response.get(60, TimeUnit.SECONDS);
                assertEquals(200, r.statusCode(), r.body());
                fromNewChampion += new JsonObject(r.body()).getLong("version") > formerChampion ? 1 : 0;
            }
            assertEquals(total, load.size());
            assertTrue(fromNewChampion > 0 && fromNewChampion < total, fromNewChampion + " answers after the promotion");

            JsonObject model = expect(200, service.get("/v1/models/cards"));
            assertEquals("arf", model.getString("model"), "the challenger is the champion");
            assertEquals(new JsonArray(), model.getJsonArray("challengers"));
            assertTrue(!service.send("GET", "/metrics", null, null).body().contains("challenger=\"forest\""),
                    "a promoted challenger's gauges are gone");
            assertNotEquals(before, probe(service, probes, "promoted"), "another model answers");

            expect(200, service.post("/v1/models/cards/rollback", new JsonObject().put("version", formerChampion)));
            assertEquals(before, probe(service, probes, "rolled-back"), "the former champion's answers, exactly");
        }
    }

    /**
     * Events scored before a promotion and labelled after it: the new champion learns each from
     * the answer it gave in its shadow, exactly as a model that was champion all along. Here a
     * committee of three experts is promoted over one of two, whose answers (two member labels)
     * would not even fit it.
     */
    @Test
    void aPromotedChallenger_learnsEventsScoredBeforeThePromotion_fromItsOwnShadowAnswers() throws Exception {
        String trio = "committee -e hat,nb,nochange";
        try (TestService service = new TestService(dataDir)) {
            expect(201, service.post("/v1/models", ServiceApiTest.modelRequest("cards", "committee -e hat,nb")));
            expect(201, service.post("/v1/models/cards/challengers", new JsonObject().put("name", "trio").put("model", trio).put("seed", 7)));
            expect(201, service.post("/v1/models", ServiceApiTest.modelRequest("solo", trio)));
            feed(service, "cards", new Random(17), 500);
            feed(service, "solo", new Random(17), 500);
            Random random = new Random(19);
            LateEvents late = LateEvents.of(random, 400);
            for (String model : List.of("cards", "solo")) {
                expect(200, service.post("/v1/models/" + model + "/predict/batch", new JsonObject().put("events", late.scoring())));
            }
            expect(200, service.post("/v1/models/cards/promote", new JsonObject().put("challenger", "trio")));
            for (String model : List.of("cards", "solo")) {
                expect(202, service.post("/v1/models/" + model + "/labels", new JsonObject().put("labels", late.labels())));
            }

            assertEquals(900, expect(200, service.get("/v1/models/cards")).getLong("learned"), "every label learned");
            List<JsonObject> probes = features(random, 100);
            assertEquals(answers(service, "solo", probes), answers(service, "cards", probes),
                    "the promoted champion answers as the same committee that was champion all along");
        }
    }

    /**
     * Events scored by a promoted champion and labelled after a rollback to the former one: the
     * restored model never answered them, so it scores each when its label comes and learns from
     * that, exactly as the same model sent them as labelled events never scored. (Handed the
     * promoted committee's three member labels, its two experts took the third for a challenger's.)
     */
    @Test
    void aRolledBackChampion_learnsEventsScoredByTheModelItReplaced() throws Exception {
        try (TestService service = new TestService(dataDir)) {
            expect(201, service.post("/v1/models", ServiceApiTest.modelRequest("cards", "committee -e hat,nb")));
            expect(201, service.post("/v1/models/cards/challengers",
                    new JsonObject().put("name", "trio").put("model", "committee -e hat,nb,nochange")));
            expect(201, service.post("/v1/models", ServiceApiTest.modelRequest("duo", "committee -e hat,nb")));
            feed(service, "cards", new Random(23), 500);
            feed(service, "duo", new Random(23), 500);
            long formerChampion = expect(200, service.post("/v1/models/cards/promote", new JsonObject().put("challenger", "trio")))
                    .getLong("former_champion_version");
            Random random = new Random(29);
            LateEvents late = LateEvents.of(random, 300);
            expect(200, service.post("/v1/models/cards/predict/batch", new JsonObject().put("events", late.scoring())));
            expect(200, service.post("/v1/models/cards/rollback", new JsonObject().put("version", formerChampion)));
            assertEquals(500, expect(200, service.get("/v1/models/cards")).getLong("learned"));
            expect(202, service.post("/v1/models/cards/labels", new JsonObject().put("labels", late.labels())));
            assertEquals(800, expect(200, service.get("/v1/models/cards")).getLong("learned"),
                    "every label learned by the restored champion");
            expect(202, service.post("/v1/models/duo/events", new JsonObject().put("events", late.neverScored())));
            List<JsonObject> probes = features(random, 100);
            assertEquals(answers(service, "duo", probes), answers(service, "cards", probes));
        }
    }

    /** Events whose labels come late, ids late0, late1, …: to score, their labels, and the same as labelled events never scored. */
    private record LateEvents(JsonArray scoring, JsonArray labels, JsonArray neverScored) {
        static LateEvents of(Random random, int n) {
            LateEvents late = new LateEvents(new JsonArray(), new JsonArray(), new JsonArray());
            for (int i = 0; i < n; i++) {
                JsonObject f = ServiceApiTest.features(random);
                String label = ServiceApiTest.truth(f);
                late.scoring.add(new JsonObject().put("id", "late" + i).put("features", f));
                late.labels.add(new JsonObject().put("id", "late" + i).put("label", label));
                late.neverScored.add(new JsonObject().put("id", "late" + i).put("features", f).put("label", label));
            }
            return late;
        }
    }

    private static List<JsonObject> features(Random random, int n) {
        List<JsonObject> features = new ArrayList<>(n);
        for (int i = 0; i < n; i++) {
            features.add(ServiceApiTest.features(random));
        }
        return features;
    }

    /** Each probe's class distribution, prediction set and abstention from one model. */
    private static List<JsonObject> answers(TestService service, String model, List<JsonObject> probes) throws Exception {
        JsonArray events = new JsonArray();
        for (int i = 0; i < probes.size(); i++) {
            events.add(new JsonObject().put("id", "probe" + i).put("features", probes.get(i)));
        }
        List<JsonObject> answers = new ArrayList<>();
        expect(200, service.post("/v1/models/" + model + "/predict/batch?replace=true", new JsonObject().put("events", events)))
                .getJsonArray("predictions").forEach(p -> {
                    JsonObject answer = (JsonObject) p;
                    answers.add(new JsonObject().put("probabilities", answer.getJsonObject("probabilities"))
                            .put("set", answer.getValue("prediction_set")).put("abstain", answer.getValue("abstain")));
                });
        return answers;
    }

    /** A 5 % canary over 10,000 ids: the share is within binomial noise, and each id gets the same side again. */
    @Test
    void aCanaryAnswersItsShareOfIds_alwaysTheSameIds() throws Exception {
        try (TestService service = new TestService(dataDir)) {
            expect(201, service.post("/v1/models", ServiceApiTest.modelRequest("cards", "hat")));
            expect(201, service.post("/v1/models/cards/challengers", new JsonObject().put("name", "bayes").put("model", "nb")
                    .put("mode", "canary").put("share", 0.05)));
            Random random = new Random(12);
            List<String> first = answeredBy(service, random, 10_000);
            long canary = first.stream().filter("bayes"::equals).count();
            assertEquals(10_000, first.size());
            assertTrue(first.stream().allMatch(by -> by.equals("bayes") || by.equals("champion")), "each answer says who gave it");
            double sd = Math.sqrt(10_000 * 0.05 * 0.95);
            assertTrue(Math.abs(canary - 500) <= 3 * sd, canary + " of 10,000 ids went to the canary, 500 ± " + 3 * sd + " expected");
            assertEquals(first, answeredBy(service, random, 10_000), "the same ids land on the same side");
            JsonObject stored = expect(200, service.get("/v1/models/cards/predictions/id" + first.indexOf("bayes")));
            assertEquals("bayes", stored.getString("answered_by"));
            assertTrue(stored.getJsonObject("challengers").containsKey("bayes"), "the canary's answer is kept");
        }
    }

    /** A challenger with a promotion policy takes over once it wins the paired test, and only then; the audit log says so. */
    @Test
    void aChallengerThatWinsThePairedTest_isPromotedByItsPolicy() throws Exception {
        try (TestService service = new TestService(dataDir)) {
            expect(201, service.post("/v1/models", ServiceApiTest.modelRequest("cards", "majority")));
            JsonObject policy = new JsonObject().put("after_events", 300).put("p_value", 0.01);
            expect(201, service.post("/v1/models/cards/challengers", new JsonObject().put("name", "tree").put("model", "hat")
                    .put("auto_promote", policy)));
            expect(201, service.post("/v1/models/cards/challengers", new JsonObject().put("name", "twin").put("model", "majority")
                    .put("auto_promote", policy)));
            JsonObject tooEarly = expect(422, service.post("/v1/models/cards/challengers", new JsonObject().put("name", "hasty")
                    .put("model", "nb").put("auto_promote", new JsonObject().put("after_events", 10))));
            assertTrue(tooEarly.getString("detail").contains("after_events"), tooEarly.encode());
            feed(service, "cards", new Random(14), 2000);

            JsonObject model = expect(200, service.get("/v1/models/cards"));
            assertEquals("hat", model.getString("model"), "the tree won its paired test against the majority class");
            assertEquals(List.of("twin"), model.getJsonArray("challengers").stream().map(c -> ((JsonObject) c).getString("name")).toList(),
                    "a challenger that answers as the champion did is never promoted");
            JsonArray audit = expect(200, service.get("/v1/audit")).getJsonArray("entries");
            JsonObject promotion = audit.getJsonObject(audit.size() - 1);
            assertEquals("challenger.promote", promotion.getString("action"));
            assertEquals("policy", promotion.getString("key_id"));
            assertEquals("tree", promotion.getJsonObject("details").getString("challenger"));
            assertTrue(promotion.getJsonObject("details").getBoolean("automatic"));
        }
    }

    /** A challenger is rebuilt by replay after kill -9: the comparison and its answers are those of the run that died. */
    @Test
    void challengersAreRebuiltExactlyAfterKill9() throws Exception {
        HttpClient http = HttpClient.newHttpClient();
        JsonObject comparison;
        JsonArray answers;
        JsonObject probe = new JsonObject().put("events", new JsonArray().add(new JsonObject().put("id", "p")
                .put("features", new JsonObject().put("amount", 80.0).put("hour", 3).put("channel", "web"))));
        try (ServiceProcess service = new ServiceProcess(dataDir, null)) {
            send(http, service, "/v1/models", ServiceApiTest.modelRequest("cards", "hat"));
            send(http, service, "/v1/models/cards/challengers", new JsonObject().put("name", "bayes").put("model", "nb"));
            Random random = new Random(13);
            for (int i = 0; i < 600; i++) {
                JsonObject f = ServiceApiTest.features(random);
                send(http, service, "/v1/models/cards/predict", new JsonObject().put("id", "tx" + i).put("features", f));
                send(http, service, "/v1/models/cards/labels", new JsonObject().put("id", "tx" + i).put("label", ServiceApiTest.truth(f)));
            }
            comparison = new JsonObject(get(http, service, "/v1/models/cards/comparison"));
            answers = new JsonObject(send(http, service, "/v1/models/cards/predict/batch", probe)).getJsonArray("predictions");
            service.kill();
        }
        try (ServiceProcess restarted = new ServiceProcess(dataDir, null)) {
            assertEquals(comparison, new JsonObject(get(http, restarted, "/v1/models/cards/comparison")));
            assertEquals(answers, new JsonObject(send(http, restarted, "/v1/models/cards/predict/batch?replace=true", probe)).getJsonArray("predictions"));
        }
        assertEquals(600, comparison.getJsonArray("challengers").getJsonObject(0).getLong("events"));
    }

    private static String send(HttpClient http, ServiceProcess service, String path, JsonObject body) throws Exception {
        HttpResponse<String> response = http.send(HttpRequest.newBuilder(URI.create("http://127.0.0.1:" + service.port() + path))
                .header("Authorization", "Bearer " + TestService.ADMIN).header("Content-Type", "application/json")
                .POST(HttpRequest.BodyPublishers.ofString(body.encode())).build(), HttpResponse.BodyHandlers.ofString());
        assertTrue(response.statusCode() < 300, path + ": " + response.body());
        return response.body();
    }

    private static String get(HttpClient http, ServiceProcess service, String path) throws Exception {
        return http.send(HttpRequest.newBuilder(URI.create("http://127.0.0.1:" + service.port() + path))
                .header("Authorization", "Bearer " + TestService.ADMIN).build(), HttpResponse.BodyHandlers.ofString()).body();
    }

    private static List<String> answeredBy(TestService service, Random random, int n) throws Exception {
        List<String> by = new ArrayList<>();
        for (int start = 0; start < n; start += 1000) {
            JsonArray events = new JsonArray();
            for (int i = start; i < start + 1000; i++) {
                events.add(new JsonObject().put("id", "id" + i).put("features", ServiceApiTest.features(random)));
            }
            JsonArray answers = expect(200, service.post("/v1/models/cards/predict/batch?replace=true", new JsonObject().put("events", events)))
                    .getJsonArray("predictions");
            answers.forEach(a -> by.add(((JsonObject) a).getString("answered_by")));
        }
        return by;
    }

    /** Scores and labels a toy stream, in batches. */
    static void feed(TestService service, String model, Random random, int n) throws Exception {
        for (int start = 0; start < n; start += 500) {
            JsonArray events = new JsonArray();
            JsonArray labels = new JsonArray();
            for (int i = start; i < start + 500; i++) {
                JsonObject f = ServiceApiTest.features(random);
                events.add(new JsonObject().put("id", "tx" + i).put("features", f));
                labels.add(new JsonObject().put("id", "tx" + i).put("label", ServiceApiTest.truth(f)));
            }
            expect(200, service.post("/v1/models/" + model + "/predict/batch", new JsonObject().put("events", events)));
            expect(202, service.post("/v1/models/" + model + "/labels", new JsonObject().put("labels", labels)));
        }
    }

    /** The class distributions the model gives the probes now. */
    private static JsonArray probe(TestService service, List<JsonObject> probes, String prefix) throws Exception {
        JsonArray events = new JsonArray();
        for (int i = 0; i < probes.size(); i++) {
            events.add(new JsonObject().put("id", prefix + i).put("features", probes.get(i)));
        }
        JsonArray distributions = new JsonArray();
        expect(200, service.post("/v1/models/cards/predict/batch?replace=true", new JsonObject().put("events", events)))
                .getJsonArray("predictions").forEach(p -> distributions.add(((JsonObject) p).getJsonObject("probabilities")));
        return distributions;
    }
}
