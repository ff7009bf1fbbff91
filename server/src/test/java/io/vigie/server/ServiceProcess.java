package io.vigie.server;

import io.vertx.core.json.JsonObject;

import java.io.BufferedReader;
import java.io.IOException;
import java.io.InputStreamReader;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/** The service in its own JVM, as {@code ./vigie serve} runs it, so that a test can kill -9 it. */
final class ServiceProcess implements AutoCloseable {
    private static final HttpClient HTTP = HttpClient.newHttpClient();
    private static final Pattern READY = Pattern.compile("Vigie ready on http://127\\.0\\.0\\.1:(\\d+)");

    private final Process process;
    private final int port;
    private final List<String> output = new ArrayList<>();
    private final Thread reader;

    ServiceProcess(Path dataDir, Path config) throws IOException, InterruptedException {
        List<String> command = new ArrayList<>(List.of(Path.of(System.getProperty("java.home"), "bin", "java").toString(),
                "-Xmx1g", "-cp", System.getProperty("java.class.path"), Main.class.getName(),
                "--port", "0", "--data-dir", dataDir.toString()));
        if (config != null) {
            command.addAll(List.of("--config", config.toString()));
        }
        ProcessBuilder builder = new ProcessBuilder(command).redirectErrorStream(true);
        builder.environment().put("VIGIE_ADMIN_KEY", TestService.ADMIN);
        process = builder.start();
        CompletableFuture<Integer> ready = new CompletableFuture<>();
        reader = new Thread(() -> {
            try (BufferedReader lines = new BufferedReader(new InputStreamReader(process.getInputStream(), StandardCharsets.UTF_8))) {
                String line;
                while ((line = lines.readLine()) != null) {
                    synchronized (output) {
                        output.add(line);
                    }
                    Matcher m = READY.matcher(line);
                    if (m.find()) {
                        ready.complete(Integer.parseInt(m.group(1)));
                    }
                }
            } catch (IOException ignored) {
                // the process was killed
            }
            ready.completeExceptionally(new IllegalStateException("the service exited before it was ready: " + output()));
        }, "service-output");
        reader.setDaemon(true);
        reader.start();
        try {
            port = ready.get(60, TimeUnit.SECONDS);
        } catch (Exception e) {
            process.destroyForcibly();
            throw new IllegalStateException("the service did not become ready: " + output(), e);
        }
    }

    /** A request with the admin key and a JSON body (or none) to this service. */
    HttpRequest request(String method, String path, JsonObject body) {
        return HttpRequest.newBuilder(URI.create("http://127.0.0.1:" + port + path))
                .header("Authorization", "Bearer " + TestService.ADMIN).header("Content-Type", "application/json")
                .method(method, body == null ? HttpRequest.BodyPublishers.noBody() : HttpRequest.BodyPublishers.ofString(body.encode()))
                .build();
    }

    /** Sends {@link #request} and reads the answer. */
    HttpResponse<String> send(String method, String path, JsonObject body) throws IOException, InterruptedException {
        return HTTP.send(request(method, path, body), HttpResponse.BodyHandlers.ofString());
    }

    long pid() {
        return process.pid();
    }

    int port() {
        return port;
    }

    String output() {
        synchronized (output) {
            return String.join("\n", output);
        }
    }

    /** kill -9: no shutdown hook, no flush, no snapshot. */
    void kill() throws InterruptedException {
        process.destroyForcibly();
        process.waitFor(30, TimeUnit.SECONDS);
    }

    /** SIGTERM, as a process manager stops it; returns the exit status. */
    int terminate() throws InterruptedException {
        process.toHandle().destroy(); // SIGTERM; Process.destroy() would also close our end of its stdout
        if (!process.waitFor(60, TimeUnit.SECONDS)) {
            process.destroyForcibly();
            throw new IllegalStateException("the service did not stop within 60 s of SIGTERM");
        }
        reader.join(10_000); // everything it printed is read
        return process.exitValue();
    }

    @Override
    public void close() throws InterruptedException {
        if (process.isAlive()) {
            kill();
        }
    }
}
