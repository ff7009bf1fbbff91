package io.vigie.server;

import io.vertx.core.json.JsonObject;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.concurrent.TimeUnit;
import java.util.function.Predicate;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * The service's log as an operator reads it, from the service in its own JVM: lines with a time
 * and a level; with {@code access_log}, a line per request naming its request id (the caller's
 * X-Request-Id, or one made and echoed) and the trace id of a W3C traceparent; with
 * {@code log_format: json}, every line a JSON object with those as fields. Off by default.
 */
class LoggingTest {
    private static final String TRACE = "4bf92f3577b34da6a3ce929d0e0e4736";
    private static final HttpClient HTTP = HttpClient.newHttpClient();

    @TempDir
    Path dir;

    @Test
    void jsonLinesWithTheAccessLogRequestIdsAndTraceIds() throws Exception {
        Path config = dir.resolve("vigie.json");
        Files.writeString(config, new JsonObject().put("access_log", true).put("log_format", "json").encode());
        try (ServiceProcess service = new ServiceProcess(dir.resolve("data"), config)) {
            HttpResponse<String> given = get(service, "/v1/models", "caller-id-42", "00-" + TRACE + "-00f067aa0ba902b7-01");
            assertEquals(200, given.statusCode());
            assertEquals("caller-id-42", given.headers().firstValue("X-Request-Id").orElseThrow(), "echoed");
            HttpResponse<String> made = get(service, "/v1/models/nothing", null, null);
            assertEquals(404, made.statusCode());
            String madeId = made.headers().firstValue("X-Request-Id").orElseThrow();
            assertTrue(madeId.matches("[0-9a-f]{32}"), madeId);
            HttpResponse<String> unsafe = get(service, "/v1/models", "two words; and more", "00-" + "0".repeat(32) + "-00f067aa0ba902b7-01");
            String replaced = unsafe.headers().firstValue("X-Request-Id").orElseThrow();
            assertTrue(replaced.matches("[0-9a-f]{32}"), "an id that could break a log line is replaced: " + replaced);

            JsonObject first = awaitLine(service, line -> line.contains("caller-id-42"));
            assertEquals("INFO", first.getString("level"));
            assertEquals("io.vigie.access", first.getString("loggerName"));
            JsonObject fields = first.getJsonObject("mdc");
            assertEquals("caller-id-42", fields.getString("request_id"));
            assertEquals(TRACE, fields.getString("trace_id"));
            assertEquals("GET", fields.getString("method"));
            assertEquals("/v1/models", fields.getString("path"));
            assertEquals("200", fields.getString("status"));
            assertEquals(12, fields.getString("key_id").length(), "the key's id, never the key");
            assertTrue(first.getLong("timestamp") > 0);

            JsonObject second = awaitLine(service, line -> line.contains(madeId));
            assertEquals("404", second.getJsonObject("mdc").getString("status"));
            assertFalse(second.getJsonObject("mdc").containsKey("trace_id"));
            JsonObject third = awaitLine(service, line -> line.contains(replaced));
            assertFalse(third.getJsonObject("mdc").containsKey("trace_id"), "an all-zero trace id is not a trace id");

            for (String line : service.output().lines().toList()) {
                if (line.startsWith("{")) {
                    new JsonObject(line); // every log line is a JSON object
                }
                assertFalse(line.contains(TestService.ADMIN), "a key in the log");
            }
        }
    }

    @Test
    void textLinesByDefaultAndNoAccessLogUnlessAsked() throws Exception {
        try (ServiceProcess service = new ServiceProcess(dir.resolve("data"), null)) {
            assertEquals(200, get(service, "/v1/models", "quiet-1", null).statusCode());
            service.terminate(); // stopped: everything it printed is read
            assertFalse(service.output().contains("quiet-1"), "no access log by default");
        }
        Path config = dir.resolve("text.json");
        Files.writeString(config, new JsonObject().put("access_log", true).encode());
        try (ServiceProcess service = new ServiceProcess(dir.resolve("data2"), config)) {
            assertEquals(401, HTTP.send(HttpRequest.newBuilder(URI.create("http://127.0.0.1:" + service.port() + "/v1/models"))
                    .header("X-Request-Id", "loud-1").build(), HttpResponse.BodyHandlers.ofString()).statusCode());
            String line = awaitText(service, "loud-1");
            assertTrue(line.matches("\\d{4}-\\d\\d-\\d\\dT\\d\\d:\\d\\d:\\d\\d\\.\\d{3}Z \\[.+] \\[INFO] access .*"), line);
            assertTrue(line.contains("request_id=loud-1") && line.contains("- GET /v1/models 401"), line);
        }
    }

    private static HttpResponse<String> get(ServiceProcess service, String path, String requestId, String traceparent) throws Exception {
        HttpRequest.Builder request = HttpRequest.newBuilder(URI.create("http://127.0.0.1:" + service.port() + path))
                .header("Authorization", "Bearer " + TestService.ADMIN);
        if (requestId != null) {
            request.header("X-Request-Id", requestId);
        }
        if (traceparent != null) {
            request.header("traceparent", traceparent);
        }
        return HTTP.send(request.build(), HttpResponse.BodyHandlers.ofString());
    }

    /** The access line is written once the answer is sent: wait for it to reach the output (bounded). */
    private static JsonObject awaitLine(ServiceProcess service, Predicate<String> match) throws InterruptedException {
        return new JsonObject(awaitText(service, match));
    }

    private static String awaitText(ServiceProcess service, String contained) throws InterruptedException {
        return awaitText(service, line -> line.contains(contained));
    }

    private static String awaitText(ServiceProcess service, Predicate<String> match) throws InterruptedException {
        long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(10);
        while (System.nanoTime() < deadline) {
            List<String> lines = service.output().lines().filter(match).toList();
            if (!lines.isEmpty()) {
                return lines.get(0);
            }
            Thread.sleep(20); // polling the child's output, which its reader thread appends to
        }
        throw new AssertionError("no such line in:\n" + service.output());
    }
}
