package io.vigie.server;

import io.vertx.core.json.JsonObject;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.net.http.HttpResponse;
import java.nio.file.Path;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** The real server on a free loopback port, called over HTTP. */
class VigieServerTest {
    @TempDir
    Path dataDir;

    @Test
    void health_answersWithoutAuth() throws Exception {
        try (TestService service = new TestService(dataDir)) {
            HttpResponse<String> live = service.send("GET", "/health/live", null, null);
            assertEquals(200, live.statusCode());
            assertEquals("UP", new JsonObject(live.body()).getString("status"));
            HttpResponse<String> ready = service.send("GET", "/health/ready", null, null);
            assertEquals(200, ready.statusCode());
            assertEquals("READY", new JsonObject(ready.body()).getString("status"));
        }
    }

    @Test
    void unknownRoute_isAProblem404() throws Exception {
        try (TestService service = new TestService(dataDir)) {
            HttpResponse<String> response = service.send("GET", "/nope", null, null);
            assertEquals(404, response.statusCode());
            assertEquals("application/problem+json", response.headers().firstValue("Content-Type").orElse(""));
            assertEquals(404, new JsonObject(response.body()).getInteger("status"));
        }
    }

    @Test
    void metrics_arePrometheusTextWithJvmAndRequestMeters() throws Exception {
        try (TestService service = new TestService(dataDir)) {
            service.send("GET", "/health/live", null, null);
            HttpResponse<String> metrics = service.send("GET", "/metrics", null, null);
            assertEquals(200, metrics.statusCode());
            assertTrue(metrics.body().contains("jvm_memory_used_bytes"), "JVM meters are bound");
            assertTrue(metrics.body().contains("vigie_http_requests_seconds_count{method=\"GET\",route=\"/health/live\",status=\"200\"}"),
                    metrics.body());
        }
    }
}
