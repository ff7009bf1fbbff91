package io.vigie.server;

import io.vertx.core.json.JsonObject;

import java.io.IOException;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.net.http.WebSocket;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.Base64;
import java.util.Comparator;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionStage;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.stream.Stream;

/**
 * A real headless Chromium driven over the DevTools protocol (a WebSocket of JSON commands), for
 * testing the analyst page in a browser. Debian's {@code chromium}; {@link #find} says whether
 * it is installed.
 */
final class Chromium implements AutoCloseable {
    private static final Duration STEP = Duration.ofSeconds(60);

    private final Process process;
    private final Path profile;
    private final WebSocket socket;
    private final AtomicInteger ids = new AtomicInteger();
    private final Map<Integer, CompletableFuture<JsonObject>> replies = new ConcurrentHashMap<>();
    private final StringBuilder partial = new StringBuilder();

    /** The browser's executable, or null if none is installed. */
    static Path find() {
        return Stream.of("/usr/bin/chromium", "/usr/bin/chromium-browser", "/usr/bin/google-chrome")
                .map(Path::of).filter(Files::isExecutable).findFirst().orElse(null);
    }

    Chromium(Path executable) throws Exception {
        profile = Files.createTempDirectory("vigie-chromium");
        process = new ProcessBuilder(executable.toString(), "--headless=new", "--no-sandbox", "--disable-gpu",
                "--disable-dev-shm-usage", "--no-first-run", "--remote-debugging-address=127.0.0.1", "--remote-debugging-port=0",
                "--remote-allow-origins=*", "--window-size=1280,1600", "--user-data-dir=" + profile, "about:blank")
                .redirectErrorStream(true).redirectOutput(profile.resolve("chromium.log").toFile()).start();
        int port = devToolsPort();
        HttpClient http = HttpClient.newHttpClient();
        String pages = http.send(HttpRequest.newBuilder(URI.create("http://127.0.0.1:" + port + "/json/list")).build(),
                HttpResponse.BodyHandlers.ofString()).body();
        String target = new io.vertx.core.json.JsonArray(pages).stream().map(JsonObject.class::cast)
                .filter(p -> p.getString("type").equals("page")).findFirst().orElseThrow().getString("webSocketDebuggerUrl");
        socket = http.newWebSocketBuilder().buildAsync(URI.create(target), new Listener()).get(30, TimeUnit.SECONDS);
    }

    /** Chromium writes its DevTools port to the profile once it listens; wait for that file. */
    private int devToolsPort() throws Exception {
        Path file = profile.resolve("DevToolsActivePort");
        try (var watcher = profile.getFileSystem().newWatchService()) {
            profile.register(watcher, java.nio.file.StandardWatchEventKinds.ENTRY_CREATE,
                    java.nio.file.StandardWatchEventKinds.ENTRY_MODIFY);
            long deadline = System.nanoTime() + STEP.toNanos();
            while (!(Files.exists(file) && Files.readAllLines(file).size() >= 1 && !Files.readAllLines(file).get(0).isBlank())) {
                if (!process.isAlive() || System.nanoTime() > deadline) {
                    throw new IllegalStateException("chromium did not start: " + Files.readString(profile.resolve("chromium.log")));
                }
                var key = watcher.poll(1, TimeUnit.SECONDS);
                if (key != null) {
                    key.pollEvents();
                    key.reset();
                }
            }
        }
        return Integer.parseInt(Files.readAllLines(file).get(0).trim());
    }

    /** Sends one DevTools command and waits for its result (a protocol error fails the test). */
    JsonObject call(String method, JsonObject params) throws Exception {
        int id = ids.incrementAndGet();
        CompletableFuture<JsonObject> reply = new CompletableFuture<>();
        replies.put(id, reply);
        socket.sendText(new JsonObject().put("id", id).put("method", method).put("params", params).encode(), true);
        JsonObject message = reply.get(STEP.toSeconds(), TimeUnit.SECONDS);
        if (message.containsKey("error")) {
            throw new AssertionError(method + ": " + message.getJsonObject("error").encode());
        }
        return message.getJsonObject("result");
    }

    void navigate(String url) throws Exception {
        call("Page.enable", new JsonObject());
        call("Page.navigate", new JsonObject().put("url", url));
        await("document.readyState === 'complete' && document.querySelector('#login') !== null");
    }

    /** Evaluates a JavaScript expression in the page (awaiting a promise) and returns its value. */
    Object evaluate(String expression) throws Exception {
        JsonObject result = call("Runtime.evaluate", new JsonObject().put("expression", expression)
                .put("awaitPromise", true).put("returnByValue", true));
        if (result.containsKey("exceptionDetails")) {
            throw new AssertionError("page script failed: " + result.getJsonObject("exceptionDetails").encode());
        }
        return result.getJsonObject("result").getValue("value");
    }

    /**
     * Waits, inside the page, until a condition holds: the page re-checks it on each animation
     * frame and the promise settles when it does, or fails after a minute.
     */
    void await(String condition) throws Exception {
        Object met = evaluate("new Promise((resolve) => { const started = performance.now();"
                + " const check = () => { let ok = false; try { ok = !!(" + condition + "); } catch (e) {}"
                + " if (ok) resolve(true); else if (performance.now() - started > 60000) resolve(false);"
                + " else requestAnimationFrame(check); }; check(); })");
        if (!Boolean.TRUE.equals(met)) {
            throw new AssertionError("the page never met: " + condition + "\nstatus: " + evaluate("document.querySelector('#status')?.textContent"));
        }
    }

    void screenshot(Path file) throws Exception {
        JsonObject shot = call("Page.captureScreenshot", new JsonObject().put("format", "png").put("captureBeyondViewport", true));
        Files.createDirectories(file.getParent());
        Files.write(file, Base64.getDecoder().decode(shot.getString("data")));
    }

    @Override
    public void close() throws IOException {
        socket.abort();
        // its helper processes (network, renderer) write to the profile too: stop them all before deleting it
        List<ProcessHandle> helpers = process.descendants().toList();
        process.destroy();
        try {
            if (!process.waitFor(10, TimeUnit.SECONDS)) {
                process.destroyForcibly().waitFor(10, TimeUnit.SECONDS);
            }
            for (ProcessHandle helper : helpers) {
                helper.destroyForcibly();
                helper.onExit().get(10, TimeUnit.SECONDS);
            }
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        } catch (java.util.concurrent.ExecutionException | java.util.concurrent.TimeoutException e) {
            // a helper that would not stop: what it leaves is deleted below, or left in the temp dir
        }
        try (Stream<Path> files = Files.walk(profile)) {
            files.sorted(Comparator.reverseOrder()).forEach(p -> p.toFile().delete());
        } catch (java.io.UncheckedIOException | IOException e) {
            // a file went away as it was listed: a temp dir left behind is not the page's failure
        }
    }

    private final class Listener implements WebSocket.Listener {
        @Override
        public CompletionStage<?> onText(WebSocket webSocket, CharSequence data, boolean last) {
            partial.append(data);
            if (last) {
                JsonObject message = new JsonObject(partial.toString());
                partial.setLength(0);
                Integer id = message.getInteger("id");
                if (id != null) {
                    CompletableFuture<JsonObject> reply = replies.remove(id);
                    if (reply != null) {
                        reply.complete(message);
                    }
                }
            }
            webSocket.request(1);
            return null;
        }
    }
}
