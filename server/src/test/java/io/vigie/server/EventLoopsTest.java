package io.vigie.server;

import io.vertx.core.json.JsonObject;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.lang.management.ManagementFactory;
import java.lang.management.ThreadMXBean;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Random;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;

import static io.vigie.server.TestService.expect;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * The HTTP work spread over event loops ({@code event_loops}): clients on many connections reach
 * every loop, and one model learns exactly what they all hand over, as if one loop had.
 */
class EventLoopsTest {
    private static final int CLIENTS = 8;
    private static final int EVENTS_EACH = 60;

    @TempDir
    Path dataDir;

    @Test
    void connectionsSpreadOverTheLoops_andTheModelLearnsEveryLabelOnce() throws Exception {
        try (TestService service = new TestService(dataDir, new JsonObject().put("event_loops", 4))) {
            expect(201, service.post("/v1/models", ServiceApiTest.modelRequest("cards", "hat")));
            Map<Long, Long> cpuBefore = eventLoopCpu();
            ExecutorService clients = Executors.newFixedThreadPool(CLIENTS);
            try {
                List<Future<Integer>> done = new ArrayList<>();
                for (int c = 0; c < CLIENTS; c++) {
                    int client = c;
                    // a raw connection each, kept alive: the port deals connections, not requests, to the loops
                    done.add(clients.submit(() -> scoreThenLabel(service, client)));
                }
                for (Future<Integer> each : done) {
                    assertEquals(EVENTS_EACH, each.get());
                }
            } finally {
                clients.shutdownNow();
            }
            JsonObject model = expect(200, service.get("/v1/models/cards"));
            assertEquals(CLIENTS * EVENTS_EACH, model.getLong("learned"));
            assertEquals(0, model.getLong("pending"));
            assertEquals(CLIENTS * EVENTS_EACH, model.getLong("version"), "one log record per label");

            Map<Long, Long> cpuAfter = eventLoopCpu();
            long busy = cpuAfter.entrySet().stream()
                    .filter(loop -> loop.getValue() - cpuBefore.getOrDefault(loop.getKey(), 0L) > 1_000_000).count();
            assertTrue(busy >= 4, "event loops that served the clients: " + busy);
        }
    }

    /** Scores events one by one on one connection, labelling each; returns how many were learned. */
    private static int scoreThenLabel(TestService service, int client) throws Exception {
        Random random = new Random(client);
        int learned = 0;
        try (RawHttp connection = new RawHttp(service.port(), 10_000)) {
            for (int i = 0; i < EVENTS_EACH; i++) {
                String id = "c" + client + "-" + i;
                JsonObject features = ServiceApiTest.features(random);
                RawHttp.Answer scored = connection.send(post("/v1/models/cards/predict",
                        new JsonObject().put("id", id).put("features", features))).read();
                assertEquals(200, scored.status(), scored.body());
                assertEquals(id, new JsonObject(scored.body()).getString("id"));
                RawHttp.Answer label = connection.send(post("/v1/models/cards/labels",
                        new JsonObject().put("id", id).put("label", ServiceApiTest.truth(features)))).read();
                assertEquals(202, label.status(), label.body());
                learned += "learned".equals(new JsonObject(label.body()).getString("status")) ? 1 : 0;
            }
        }
        return learned;
    }

    private static String post(String path, JsonObject body) {
        String text = body.encode();
        return RawHttp.head("POST " + path + " HTTP/1.1", "Host: 127.0.0.1", "Authorization: Bearer " + TestService.ADMIN,
                "Content-Type: application/json", "Content-Length: " + text.getBytes(java.nio.charset.StandardCharsets.UTF_8).length)
                + text;
    }

    /** CPU time of each live Vert.x event loop thread, by thread id. */
    private static Map<Long, Long> eventLoopCpu() {
        ThreadMXBean threads = ManagementFactory.getThreadMXBean();
        Map<Long, Long> cpu = new HashMap<>();
        for (Thread thread : Thread.getAllStackTraces().keySet()) {
            if (thread.getName().startsWith("vert.x-eventloop-thread-")) {
                cpu.put(thread.getId(), threads.getThreadCpuTime(thread.getId()));
            }
        }
        return cpu;
    }
}
