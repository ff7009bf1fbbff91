package io.vigie.server;

import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.io.IOException;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.atomic.AtomicLong;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * A flood from clients without a key: large bodies on many connections at once, and requests with
 * invented methods, while a prober asks {@code /health/live} ten times a second. The service must
 * answer every flood request 4xx, answer the prober within a second throughout, hold no body it
 * has not authorised, and keep its metrics bounded. {@code -Dvigie.flood.seconds} sets the length
 * (5 s in the build, 30 s in {@code ./vigie faults}).
 */
class HostileTrafficTest {
    private static final int BODY_BYTES = 3_900_000;
    private static final Pattern IN_FLIGHT = Pattern.compile("(?m)^vigie_http_body_bytes_in_flight (\\S+)");

    @TempDir
    Path dataDir;

    @Test
    void keylessFlood_neverTakesTheServiceDown() throws Exception {
        long seconds = Long.getLong("vigie.flood.seconds", 5);
        try (TestService service = new TestService(dataDir)) {
            TestService.expect(201, service.post("/v1/models", new JsonObject().put("name", "m").put("model", "nb")
                    .put("schema", new JsonObject().put("features", new JsonArray().add(new JsonObject().put("name", "x")))
                            .put("classes", new JsonArray().add("a").add("b")))));
            long until = System.nanoTime() + Duration.ofSeconds(seconds).toNanos();
            Map<Integer, AtomicLong> statuses = new ConcurrentHashMap<>();
            AtomicLong slowestProbeMillis = new AtomicLong();
            AtomicLong mostInFlight = new AtomicLong();
            ExecutorService threads = Executors.newFixedThreadPool(12);
            List<Future<?>> running = new ArrayList<>();
            for (int t = 0; t < 8; t++) {
                running.add(threads.submit(() -> floodLargeBodies(service.port(), until, statuses)));
            }
            for (int t = 0; t < 3; t++) {
                int seed = t;
                running.add(threads.submit(() -> floodInventedMethods(service.port(), seed, until, statuses)));
            }
            running.add(threads.submit(() -> probe(service, until, slowestProbeMillis, mostInFlight)));
            for (Future<?> f : running) {
                f.get();
            }
            threads.shutdown();

            assertTrue(statuses.keySet().stream().allMatch(s -> s >= 400 && s < 500), "every flood request refused 4xx: " + statuses);
            assertTrue(statuses.getOrDefault(401, new AtomicLong()).get() > 0, "the flood ran: " + statuses);
            assertTrue(slowestProbeMillis.get() < 1_000, "/health/live answered within 1 s throughout: slowest "
                    + slowestProbeMillis.get() + " ms");
            assertEquals(0, mostInFlight.get(), "no body without a key was ever held");
            String metrics = service.send("GET", "/metrics", null, null).body();
            long series = metrics.lines().filter(l -> l.startsWith("vigie_http_requests_seconds_count")).count();
            assertTrue(series < 30, "invented methods do not grow the metrics: " + series + " request series");
            assertEquals(200, service.post("/v1/models/m/predict", new JsonObject().put("id", "after")
                    .put("features", new JsonObject().put("x", 1))).statusCode(), "and it still serves");
            System.out.println("flood " + seconds + " s: " + statuses + ", slowest probe " + slowestProbeMillis.get() + " ms");
        }
    }

    /** Keyless POSTs announcing and sending 3.9 MB each, one after another on fresh connections. */
    private static void floodLargeBodies(int port, long until, Map<Integer, AtomicLong> statuses) {
        byte[] chunk = new byte[64 * 1024];
        java.util.Arrays.fill(chunk, (byte) 'a');
        while (System.nanoTime() < until) {
            try (RawHttp client = new RawHttp(port, 10_000)) {
                client.send(RawHttp.head("POST /v1/models/m/predict HTTP/1.1", "Host: 127.0.0.1", "Content-Type: application/json",
                        "Content-Length: " + BODY_BYTES));
                for (int sent = 0; sent < BODY_BYTES; sent += chunk.length) {
                    client.send(java.util.Arrays.copyOf(chunk, Math.min(chunk.length, BODY_BYTES - sent)));
                }
                count(statuses, client.read().status());
            } catch (IOException e) {
                count(statuses, -1); // the server closed a connection mid-body: not a 4xx, fails the test
            }
        }
    }

    /** Requests with a new invented method each time, on one kept-alive connection. */
    private static void floodInventedMethods(int port, int seed, long until, Map<Integer, AtomicLong> statuses) {
        long n = 0;
        while (System.nanoTime() < until) {
            try (RawHttp client = new RawHttp(port, 10_000)) {
                for (int i = 0; i < 1_000 && System.nanoTime() < until; i++) {
                    client.send(RawHttp.head("X" + seed + "M" + n++ + " /v1/models HTTP/1.1", "Host: 127.0.0.1"));
                    count(statuses, client.read().status());
                }
            } catch (IOException e) {
                count(statuses, -1);
            }
        }
    }

    private static void probe(TestService service, long until, AtomicLong slowest, AtomicLong mostInFlight) {
        HttpClient http = HttpClient.newBuilder().connectTimeout(Duration.ofSeconds(1)).build();
        HttpRequest live = HttpRequest.newBuilder(URI.create("http://127.0.0.1:" + service.port() + "/health/live"))
                .timeout(Duration.ofSeconds(1)).build();
        HttpRequest metrics = HttpRequest.newBuilder(URI.create("http://127.0.0.1:" + service.port() + "/metrics"))
                .timeout(Duration.ofSeconds(5)).build();
        long next = System.nanoTime();
        while (System.nanoTime() < until) {
            long started = System.nanoTime();
            try {
                int status = http.send(live, HttpResponse.BodyHandlers.discarding()).statusCode();
                slowest.accumulateAndGet(status == 200 ? (System.nanoTime() - started) / 1_000_000 : Long.MAX_VALUE, Math::max);
                Matcher m = IN_FLIGHT.matcher(http.send(metrics, HttpResponse.BodyHandlers.ofString()).body());
                if (m.find()) {
                    mostInFlight.accumulateAndGet((long) Double.parseDouble(m.group(1)), Math::max);
                }
            } catch (IOException e) {
                slowest.set(Long.MAX_VALUE); // no answer within a second
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                return;
            }
            next += 100_000_000L; // an open-loop probe: one every 100 ms, however long the last took (pacing, not waiting on the server)
            java.util.concurrent.locks.LockSupport.parkNanos(Math.max(0, next - System.nanoTime()));
        }
    }

    private static void count(Map<Integer, AtomicLong> statuses, int status) {
        statuses.computeIfAbsent(status, s -> new AtomicLong()).incrementAndGet();
    }
}
