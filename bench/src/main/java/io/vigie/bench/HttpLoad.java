package io.vigie.bench;

import io.vertx.core.Future;
import io.vertx.core.Vertx;
import io.vertx.core.buffer.Buffer;
import io.vertx.core.http.HttpClient;
import io.vertx.core.http.HttpClientOptions;
import io.vertx.core.http.HttpMethod;
import io.vertx.core.http.PoolOptions;

import java.util.Arrays;
import java.util.List;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicLong;
import java.util.concurrent.locks.LockSupport;

/**
 * A loopback load generator in the manner of wrk (closed loop: a fixed number of connections,
 * each sending its next request when the last one is answered) and wrk2 (open loop: requests at a
 * fixed rate, latency measured from when each should have been sent, so a stall is not hidden).
 * Bounded in time; only ever talks to 127.0.0.1.
 */
final class HttpLoad implements AutoCloseable {
    /** Requests per second, and how many got an unexpected status or failed. */
    record Throughput(double perSecond, long errors) {
    }

    /** Latency percentiles in microseconds at an offered rate. */
    record Latency(double rate, long p50, long p99, long p999, long sent, long errors) {
    }

    private final Vertx vertx = Vertx.vertx();
    private final HttpClient client;
    private final int port;
    private final String authorization;

    HttpLoad(int port, String key, int connections) {
        this.port = port;
        this.authorization = key == null ? null : "Bearer " + key;
        this.client = vertx.httpClientBuilder()
                .with(new HttpClientOptions().setKeepAlive(true).setDefaultHost("127.0.0.1").setDefaultPort(port))
                .with(new PoolOptions().setHttp1MaxSize(connections).setMaxWaitQueueSize(-1))
                .build();
    }

    private Future<Integer> send(String path, Buffer body) {
        return client.request(HttpMethod.POST, port, "127.0.0.1", path).compose(request -> {
            request.putHeader("Content-Type", "application/json");
            if (authorization != null) {
                request.putHeader("Authorization", authorization);
            }
            return request.send(body);
        }).compose(response -> response.body().map(b -> response.statusCode()));
    }

    /** Closed loop for {@code seconds}: each of {@code connections} users sends bodies in turn. */
    Throughput closedLoop(String path, List<Buffer> bodies, int expectedStatus, int connections, double seconds)
            throws InterruptedException {
        long deadline = System.nanoTime() + (long) (seconds * 1e9);
        AtomicLong done = new AtomicLong();
        AtomicLong errors = new AtomicLong();
        AtomicInteger next = new AtomicInteger();
        CountDownLatch finished = new CountDownLatch(connections);
        long started = System.nanoTime();
        for (int c = 0; c < connections; c++) {
            user(path, bodies, expectedStatus, deadline, done, errors, next, finished);
        }
        finished.await();
        double elapsed = (System.nanoTime() - started) / 1e9;
        return new Throughput(done.get() / elapsed, errors.get());
    }

    private void user(String path, List<Buffer> bodies, int expectedStatus, long deadline, AtomicLong done, AtomicLong errors,
                      AtomicInteger next, CountDownLatch finished) {
        if (System.nanoTime() >= deadline) {
            finished.countDown();
            return;
        }
        Buffer body = bodies.get(Math.floorMod(next.getAndIncrement(), bodies.size()));
        send(path, body).onComplete(result -> {
            if (result.succeeded() && result.result() == expectedStatus) {
                done.incrementAndGet();
            } else {
                errors.incrementAndGet();
            }
            user(path, bodies, expectedStatus, deadline, done, errors, next, finished);
        });
    }

    /** Open loop: {@code rate} requests per second for {@code seconds}, latency from the intended send time. */
    Latency openLoop(String path, List<Buffer> bodies, int expectedStatus, double rate, double seconds)
            throws InterruptedException {
        int total = (int) (rate * seconds);
        long[] latencies = new long[total];
        AtomicLong errors = new AtomicLong();
        CountDownLatch answered = new CountDownLatch(total);
        long start = System.nanoTime() + 10_000_000L;
        for (int i = 0; i < total; i++) {
            long intended = start + (long) (i * 1e9 / rate);
            long wait = intended - System.nanoTime();
            if (wait > 0) {
                LockSupport.parkNanos(wait);
            }
            int k = i;
            send(path, bodies.get(i % bodies.size())).onComplete(result -> {
                latencies[k] = (System.nanoTime() - intended) / 1000;
                if (result.failed() || result.result() != expectedStatus) {
                    errors.incrementAndGet();
                }
                answered.countDown();
            });
        }
        if (!answered.await((long) (seconds * 4) + 30, TimeUnit.SECONDS)) {
            throw new IllegalStateException("requests still unanswered long after the run");
        }
        Arrays.sort(latencies);
        return new Latency(rate, latencies[total / 2], latencies[(int) (total * 0.99)], latencies[(int) (total * 0.999)],
                total, errors.get());
    }

    @Override
    public void close() {
        vertx.close().await();
    }
}
