package io.vigie.bench;

import io.vertx.core.buffer.Buffer;

import java.io.BufferedInputStream;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.net.InetAddress;
import java.net.Socket;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicLong;
import java.util.concurrent.locks.LockSupport;

/**
 * Open-loop latency in the manner of wrk2, which Debian lacks: request i is due at start + i/rate
 * and is timed from then, so a stall is not hidden by the client waiting on it. A fixed set of
 * keep-alive connections on plain blocking sockets, one thread each, takes the requests in order;
 * when all are busy the next one waits and its wait counts. Bounded in time (socket timeouts);
 * only ever talks to 127.0.0.1. Throughput is {@link Wrk}'s job.
 */
final class HttpLoad {
    /** Latency percentiles in microseconds at an offered rate. */
    record Latency(double rate, long p50, long p99, long p999, long sent, long errors) {
    }

    private static final int SOCKET_TIMEOUT_MS = 30_000;

    private final int port;
    private final String authorization;
    private final int connections;

    HttpLoad(int port, String key, int connections) {
        this.port = port;
        this.authorization = key == null ? "" : "Authorization: Bearer " + key + "\r\n";
        this.connections = connections;
    }

    /** {@code rate} requests per second for {@code seconds}, each expected to get {@code expectedStatus}. */
    Latency openLoop(String path, List<Buffer> bodies, int expectedStatus, double rate, double seconds) throws Exception {
        int total = (int) (rate * seconds);
        long[] latencies = new long[total];
        AtomicInteger next = new AtomicInteger();
        AtomicLong errors = new AtomicLong();
        long start = System.nanoTime() + 500_000_000L;
        ExecutorService pool = Executors.newFixedThreadPool(connections);
        try {
            List<Future<?>> users = new ArrayList<>();
            for (int c = 0; c < connections; c++) {
                users.add(pool.submit(() -> {
                    Connection connection = connect(); // before the first is due: a connection's set-up is not the service's latency
                    for (int i = next.getAndIncrement(); i < total; i = next.getAndIncrement()) {
                        long due = start + (long) (i * 1e9 / rate);
                        long wait = due - System.nanoTime();
                        if (wait > 0) {
                            LockSupport.parkNanos(wait);
                        }
                        try {
                            connection = connection != null ? connection : new Connection();
                            if (connection.post(path, bodies.get(i % bodies.size())) != expectedStatus) {
                                errors.incrementAndGet();
                            }
                        } catch (IOException e) {
                            errors.incrementAndGet();
                            connection = close(connection);
                        }
                        latencies[i] = (System.nanoTime() - due) / 1000;
                    }
                    close(connection);
                    return null;
                }));
            }
            for (Future<?> user : users) {
                user.get((long) seconds + 2L * SOCKET_TIMEOUT_MS / 1000 + 30, TimeUnit.SECONDS);
            }
        } finally {
            pool.shutdownNow();
        }
        Arrays.sort(latencies);
        return new Latency(rate, latencies[total / 2], latencies[(int) (total * 0.99)], latencies[(int) (total * 0.999)],
                total, errors.get());
    }

    /**
     * {@code users} connections each sending its next request as soon as the last is answered, for
     * {@code seconds}; latency from sending to answer. The rate is what it reached.
     */
    Latency closedLoop(String path, List<Buffer> bodies, int expectedStatus, int users, double seconds) throws Exception {
        long end = System.nanoTime() + (long) (seconds * 1e9);
        List<long[]> all = new ArrayList<>();
        AtomicLong errors = new AtomicLong();
        AtomicInteger next = new AtomicInteger();
        ExecutorService pool = Executors.newFixedThreadPool(users);
        try {
            List<Future<long[]>> running = new ArrayList<>();
            for (int u = 0; u < users; u++) {
                running.add(pool.submit(() -> {
                    long[] mine = new long[1024];
                    int n = 0;
                    Connection connection = new Connection();
                    try {
                        while (System.nanoTime() < end) {
                            long sent = System.nanoTime();
                            if (connection.post(path, bodies.get(next.getAndIncrement() % bodies.size())) != expectedStatus) {
                                errors.incrementAndGet();
                            }
                            if (n == mine.length) {
                                mine = Arrays.copyOf(mine, n * 2);
                            }
                            mine[n++] = (System.nanoTime() - sent) / 1000;
                        }
                    } finally {
                        close(connection);
                    }
                    return Arrays.copyOf(mine, n);
                }));
            }
            for (Future<long[]> user : running) {
                all.add(user.get((long) seconds + SOCKET_TIMEOUT_MS / 1000 + 30, TimeUnit.SECONDS));
            }
        } finally {
            pool.shutdownNow();
        }
        long[] latencies = all.stream().flatMapToLong(Arrays::stream).sorted().toArray();
        int total = latencies.length;
        return new Latency(total / seconds, latencies[total / 2], latencies[(int) (total * 0.99)], latencies[(int) (total * 0.999)],
                total, errors.get());
    }

    /** A new connection, or null when it cannot be opened (the first request then tries again and counts the error). */
    private Connection connect() {
        try {
            return new Connection();
        } catch (IOException e) {
            return null;
        }
    }

    private static Connection close(Connection connection) {
        if (connection != null) {
            try {
                connection.socket.close();
            } catch (IOException ignored) {
                // already broken; a new one is opened for the next request
            }
        }
        return null;
    }

    /** One keep-alive HTTP/1.1 connection: a request out, the status read and the body skipped. */
    private final class Connection {
        final Socket socket;
        final OutputStream out;
        final InputStream in;

        Connection() throws IOException {
            socket = new Socket(InetAddress.getLoopbackAddress(), port);
            socket.setTcpNoDelay(true);
            socket.setSoTimeout(SOCKET_TIMEOUT_MS);
            out = socket.getOutputStream();
            in = new BufferedInputStream(socket.getInputStream());
        }

        int post(String path, Buffer body) throws IOException {
            byte[] bytes = body.getBytes();
            String head = "POST " + path + " HTTP/1.1\r\nHost: 127.0.0.1\r\nContent-Type: application/json\r\n" + authorization
                    + "Content-Length: " + bytes.length + "\r\n\r\n";
            out.write(head.getBytes(StandardCharsets.US_ASCII));
            out.write(bytes);
            out.flush();
            String status = line();
            long length = -1;
            for (String header = line(); !header.isEmpty(); header = line()) {
                if (header.regionMatches(true, 0, "Content-Length:", 0, 15)) {
                    length = Long.parseLong(header.substring(15).trim());
                }
            }
            if (length < 0) {
                throw new IOException("no Content-Length in the answer");
            }
            in.skipNBytes(length);
            return Integer.parseInt(status.split(" ")[1]);
        }

        private String line() throws IOException {
            StringBuilder line = new StringBuilder();
            for (int b = in.read(); b != '\n'; b = in.read()) {
                if (b < 0) {
                    throw new IOException("connection closed");
                }
                if (b != '\r') {
                    line.append((char) b);
                }
            }
            return line.toString();
        }
    }
}
