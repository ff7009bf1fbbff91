package io.vigie.bench;

import io.vertx.core.buffer.Buffer;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Locale;
import java.util.concurrent.TimeUnit;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * Closed-loop HTTP throughput from wrk (Debian's {@code wrk}), in its own process: POSTs that
 * cycle through the given bodies on a fixed number of keep-alive connections, for a bounded time,
 * to 127.0.0.1 only. A request that did not get a 2xx counts as an error.
 */
final class Wrk {
    /** Requests per second, and how many requests failed or were not 2xx. */
    record Throughput(double perSecond, long errors) {
    }

    private static final Pattern RATE = Pattern.compile("Requests/sec:\\s+([0-9.]+)");
    private static final Pattern NON_2XX = Pattern.compile("Non-2xx or 3xx responses:\\s+(\\d+)");
    private static final Pattern SOCKET_ERRORS = Pattern.compile(
            "Socket errors: connect (\\d+), read (\\d+), write (\\d+), timeout (\\d+)");

    private final int connections;
    private final int threads;

    Wrk(int connections, int threads) {
        this.connections = connections;
        this.threads = threads;
    }

    /** Whether wrk is on the PATH; the service benchmark needs it. */
    static boolean installed() {
        try {
            Process p = new ProcessBuilder("wrk", "--version").redirectErrorStream(true).start();
            p.getInputStream().readAllBytes();
            return p.waitFor(10, TimeUnit.SECONDS);
        } catch (IOException e) {
            return false;
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            return false;
        }
    }

    Throughput run(int port, String path, String key, List<Buffer> bodies, double seconds) throws IOException, InterruptedException {
        Path script = Files.createTempFile("vigie-wrk", ".lua");
        try {
            Files.writeString(script, script(key, bodies));
            Process wrk = new ProcessBuilder("wrk", "-t" + threads, "-c" + connections, "-d" + Math.max(1, Math.round(seconds)) + "s",
                    "--timeout", "30s", "-s", script.toString(), "http://127.0.0.1:" + port + path).redirectErrorStream(true).start();
            String report = new String(wrk.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
            if (!wrk.waitFor((long) seconds + 60, TimeUnit.SECONDS) || wrk.exitValue() != 0) {
                wrk.destroyForcibly();
                throw new IllegalStateException("wrk failed on " + path + ":\n" + report);
            }
            return parse(report);
        } finally {
            Files.deleteIfExists(script);
        }
    }

    static Throughput parse(String report) {
        Matcher rate = RATE.matcher(report);
        if (!rate.find()) {
            throw new IllegalStateException("no Requests/sec in wrk's report:\n" + report);
        }
        long errors = 0;
        Matcher non2xx = NON_2XX.matcher(report);
        if (non2xx.find()) {
            errors += Long.parseLong(non2xx.group(1));
        }
        Matcher socket = SOCKET_ERRORS.matcher(report);
        if (socket.find()) {
            for (int g = 1; g <= 4; g++) {
                errors += Long.parseLong(socket.group(g));
            }
        }
        return new Throughput(Double.parseDouble(rate.group(1)), errors);
    }

    /** A Lua script that sends the bodies in turn, each connection from its own offset. */
    private static String script(String key, List<Buffer> bodies) {
        StringBuilder lua = new StringBuilder("wrk.method = \"POST\"\nwrk.headers[\"Content-Type\"] = \"application/json\"\n");
        if (key != null) {
            lua.append("wrk.headers[\"Authorization\"] = \"Bearer ").append(key).append("\"\n");
        }
        lua.append("local bodies = {\n");
        for (Buffer body : bodies) {
            lua.append("[==[").append(body.toString(StandardCharsets.UTF_8)).append("]==],\n");
        }
        lua.append(String.format(Locale.ROOT, "}%nlocal n = 0%n"
                + "function init(args) n = math.random(#bodies) end%n"
                + "function request()%n  n = n %% #bodies + 1%n  return wrk.format(nil, nil, nil, bodies[n])%nend%n"));
        return lua.toString();
    }
}
