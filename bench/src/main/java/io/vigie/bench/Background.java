package io.vigie.bench;

import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;

import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.time.Duration;
import java.util.List;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicLong;
import java.util.concurrent.locks.LockSupport;

/**
 * The traffic users have while predictions are timed: labelled events streaming to the model in
 * batches (open loop: a batch every {@code 100 / rate} s whatever the last took), and the analyst
 * page reading the model, its timeline and its drifts every second. Runs until closed; counts
 * what it sent and what failed. Only ever talks to 127.0.0.1.
 */
final class Background implements AutoCloseable {
    private final AtomicBoolean running = new AtomicBoolean(true);
    private final AtomicLong eventsSent = new AtomicLong();
    private final AtomicLong errors = new AtomicLong();
    private final Thread labels;
    private final Thread page;

    /**
     * @param events labelled events as the events route takes them ({@code id}s are made unique here)
     * @param rate   labelled events per second, sent in batches of 100
     */
    Background(int port, String key, String model, List<JsonObject> events, double rate) {
        HttpClient http = HttpClient.newBuilder().connectTimeout(Duration.ofSeconds(5)).build();
        String base = "http://127.0.0.1:" + port + "/v1/models/" + model;
        labels = new Thread(() -> {
            long period = (long) (100 / rate * 1e9);
            long due = System.nanoTime();
            int next = 0;
            while (running.get()) {
                JsonArray batch = new JsonArray();
                for (int i = 0; i < 100; i++, next++) {
                    batch.add(events.get(next % events.size()).copy().put("id", "bg" + next));
                }
                send(http, HttpRequest.newBuilder(URI.create(base + "/events")).header("Authorization", "Bearer " + key)
                        .header("Content-Type", "application/json")
                        .POST(HttpRequest.BodyPublishers.ofString(new JsonObject().put("events", batch).encode())), 202);
                eventsSent.addAndGet(100);
                due += period;
                LockSupport.parkNanos(Math.max(0, due - System.nanoTime())); // pacing: the next batch is due then
            }
        }, "background-labels");
        page = new Thread(() -> {
            long due = System.nanoTime();
            while (running.get()) {
                for (String read : List.of("", "/timeline", "/drifts")) {
                    send(http, HttpRequest.newBuilder(URI.create(base + read)).header("Authorization", "Bearer " + key).GET(), 200);
                }
                due += 1_000_000_000L;
                LockSupport.parkNanos(Math.max(0, due - System.nanoTime()));
            }
        }, "background-page");
        labels.start();
        page.start();
    }

    private void send(HttpClient http, HttpRequest.Builder request, int expected) {
        try {
            if (http.send(request.timeout(Duration.ofSeconds(30)).build(), HttpResponse.BodyHandlers.discarding()).statusCode() != expected) {
                errors.incrementAndGet();
            }
        } catch (Exception e) {
            errors.incrementAndGet();
        }
    }

    long eventsSent() {
        return eventsSent.get();
    }

    long errors() {
        return errors.get();
    }

    @Override
    public void close() throws InterruptedException {
        running.set(false);
        labels.join(60_000);
        page.join(60_000);
    }
}
