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
import java.util.Map;
import java.util.Random;
import java.util.TreeMap;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;

import static io.vigie.server.TestService.expect;
import static org.junit.jupiter.api.Assertions.assertEquals;

/**
 * Rollbacks and snapshots while four clients keep scoring: not one request fails, and after the
 * last rollback the model answers exactly as the version it rolled back to.
 */
class HotSwapTest {
    private static final int CLIENTS = 4;
    private static final int REQUESTS_PER_CLIENT = 1500;

    @TempDir
    Path dataDir;

    @Test
    void rollbacksUnderPredictionLoad_failNoRequest() throws Exception {
        try (TestService service = new TestService(dataDir)) {
            expect(201, service.post("/v1/models", ServiceApiTest.modelRequest("cards", "committee -e hat,nb")));
            Random random = new Random(5);
            JsonArray probes = new JsonArray();
            for (int i = 0; i < 20; i++) {
                probes.add(new JsonObject().put("id", "probe" + i).put("features", ServiceApiTest.features(random)));
            }
            learn(service, random, 0, 1000);
            long early = expect(201, service.post("/v1/models/cards/versions", new JsonObject())).getLong("version");
            JsonArray atEarly = predictions(service, probes);
            learn(service, random, 1000, 3000);
            long late = expect(201, service.post("/v1/models/cards/versions", new JsonObject())).getLong("version");

            ExecutorService clients = Executors.newFixedThreadPool(CLIENTS);
            List<Future<Map<Integer, Integer>>> load = new ArrayList<>();
            for (int c = 0; c < CLIENTS; c++) {
                int client = c;
                load.add(clients.submit(() -> score(service, client)));
            }
            for (int swap = 0; swap < 10; swap++) {
                long target = swap % 2 == 0 ? early : late;
                assertEquals(target, expect(200, service.post("/v1/models/cards/rollback", new JsonObject().put("version", target)))
                        .getLong("rolled_back_to"));
                expect(201, service.post("/v1/models/cards/versions", new JsonObject()));
            }
            expect(200, service.post("/v1/models/cards/rollback", new JsonObject().put("version", early)));
            Map<Integer, Integer> statuses = new TreeMap<>();
            for (Future<Map<Integer, Integer>> client : load) {
                client.get().forEach((status, n) -> statuses.merge(status, n, Integer::sum));
            }
            clients.shutdown();
            assertEquals(Map.of(200, CLIENTS * REQUESTS_PER_CLIENT), statuses, "every prediction during the swaps succeeded");

            JsonArray afterSwaps = predictions(service, probes);
            for (int i = 0; i < probes.size(); i++) {
                JsonObject a = atEarly.getJsonObject(i).copy();
                JsonObject b = afterSwaps.getJsonObject(i).copy();
                a.remove("version");
                b.remove("version");
                assertEquals(a, b, "the rolled-back model answers as version " + early + " did");
            }
        }
    }

    private static Map<Integer, Integer> score(TestService service, int client) throws Exception {
        HttpClient http = HttpClient.newBuilder().version(HttpClient.Version.HTTP_1_1).build();
        Random random = new Random(100 + client);
        Map<Integer, Integer> statuses = new TreeMap<>();
        for (int i = 0; i < REQUESTS_PER_CLIENT; i++) {
            String body = new JsonObject().put("id", "c" + client + "-" + i).put("features", ServiceApiTest.features(random)).encode();
            HttpResponse<String> response = http.send(HttpRequest.newBuilder(URI.create("http://127.0.0.1:" + service.port()
                            + "/v1/models/cards/predict")).header("Authorization", "Bearer " + TestService.ADMIN)
                    .POST(HttpRequest.BodyPublishers.ofString(body)).build(), HttpResponse.BodyHandlers.ofString());
            statuses.merge(response.statusCode(), 1, Integer::sum);
        }
        return statuses;
    }

    private static JsonArray predictions(TestService service, JsonArray probes) throws Exception {
        return expect(200, service.post("/v1/models/cards/predict/batch?replace=true", new JsonObject().put("events", probes)))
                .getJsonArray("predictions");
    }

    private static void learn(TestService service, Random random, int from, int to) throws Exception {
        JsonArray events = new JsonArray();
        for (int i = from; i < to; i++) {
            JsonObject f = ServiceApiTest.features(random);
            events.add(new JsonObject().put("id", "e" + i).put("features", f).put("label", ServiceApiTest.truth(f)));
            if (events.size() == 1000 || i == to - 1) {
                expect(202, service.post("/v1/models/cards/events", new JsonObject().put("events", events)));
                events = new JsonArray();
            }
        }
    }
}
