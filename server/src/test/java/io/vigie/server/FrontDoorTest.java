package io.vigie.server;

import io.vertx.core.json.JsonObject;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * What the service does with requests no client library would send, one case each, over plain
 * sockets: the key is checked before a body is read, only JSON is read, broken requests are
 * answered 4xx or closed, invented methods stay out of the metrics, and idle or half-sent
 * connections cannot hold the service's descriptors. Never a 5xx.
 */
class FrontDoorTest {
    @TempDir
    static Path dataDir;
    private static TestService service;

    @BeforeAll
    static void start() throws Exception {
        service = new TestService(dataDir, new JsonObject().put("header_timeout_ms", 400).put("body_timeout_ms", 400)
                .put("max_connections", 40).put("body_bytes_in_flight", 100_000));
        TestService.expect(201, service.post("/v1/models", new JsonObject().put("name", "m").put("model", "nb")
                .put("schema", new JsonObject().put("features", new io.vertx.core.json.JsonArray()
                        .add(new JsonObject().put("name", "x"))).put("classes", new io.vertx.core.json.JsonArray().add("a").add("b")))));
    }

    @AfterAll
    static void stop() throws Exception {
        service.close();
    }

    private static RawHttp connect() throws Exception {
        return new RawHttp(service.port(), 5_000);
    }

    /**
     * One request on a connection of its own, closed after the answer. With a 400 ms head timeout a
     * pooled client connection can be closed by the server just as the client reuses it.
     */
    private static RawHttp.Answer once(String method, String path, String key, String body) throws Exception {
        List<String> lines = new ArrayList<>(List.of(method + " " + path + " HTTP/1.1", "Host: 127.0.0.1", "Connection: close"));
        if (key != null) {
            lines.add("Authorization: Bearer " + key);
        }
        if (body != null) {
            lines.add("Content-Type: application/json");
            lines.add("Content-Length: " + body.getBytes(java.nio.charset.StandardCharsets.UTF_8).length);
        }
        try (RawHttp client = connect()) {
            return client.send(RawHttp.head(lines.toArray(String[]::new)) + (body == null ? "" : body)).read();
        }
    }

    private static String post(String path, String key, String type, long length) {
        List<String> lines = new ArrayList<>(List.of("POST " + path + " HTTP/1.1", "Host: 127.0.0.1", "Content-Length: " + length));
        if (key != null) {
            lines.add("Authorization: Bearer " + key);
        }
        if (type != null) {
            lines.add("Content-Type: " + type);
        }
        return RawHttp.head(lines.toArray(String[]::new));
    }

    @Test
    void keylessLargeBody_isRefusedBeforeItIsRead() throws Exception {
        try (RawHttp client = connect()) {
            // only the head is sent: the answer must not wait for the 3.9 MB it announces
            RawHttp.Answer answer = client.send(post("/v1/models/m/predict", null, "application/json", 3_900_000)).read();
            assertEquals(401, answer.status());
            assertNotNull(answer.header("WWW-Authenticate"), "a 401 says how to authenticate");
            assertTrue(client.closedByServer(), "a body that never comes does not hold the connection");
        }
    }

    @Test
    void formsAndOtherTypes_are415_andNeverDecoded() throws Exception {
        for (String type : List.of("application/x-www-form-urlencoded", "multipart/form-data; boundary=x", "text/plain")) {
            try (RawHttp client = connect()) {
                String body = "%zz&a=" + "b".repeat(9000);
                RawHttp.Answer answer = client.send(post("/v1/models/m/predict", TestService.ADMIN, type, body.length()) + body).read();
                assertEquals(415, answer.status(), type + ": " + answer.body());
                assertTrue(answer.body().contains("application/json"), answer.body());
            }
        }
        RawHttp.Answer json = once("POST", "/v1/models/m/predict", TestService.ADMIN,
                new JsonObject().put("id", "j1").put("features", new JsonObject().put("x", 1)).encode());
        assertEquals(200, json.status(), "JSON still goes through: " + json.body());
    }

    @Test
    void getWithABody_andBrokenHosts_areAnsweredWithout5xx() throws Exception {
        String body = "%zz";
        List<String> requests = List.of(
                RawHttp.head("GET /v1/models HTTP/1.1", "Host: 127.0.0.1", "Authorization: Bearer " + TestService.ADMIN,
                        "Content-Type: application/x-www-form-urlencoded", "Content-Length: 3") + body,
                RawHttp.head("GET /health/live HTTP/1.1"),
                RawHttp.head("GET /v1/models HTTP/1.1", "Host: [::1:bad", "Authorization: Bearer " + TestService.ADMIN),
                RawHttp.head("GET /v1/models HTTP/1.1", "Host: a b c", "Authorization: Bearer " + TestService.ADMIN));
        for (String request : requests) {
            try (RawHttp client = connect()) {
                RawHttp.Answer answer = client.send(request).read();
                assertTrue(answer.status() > 0 && answer.status() < 500, request.lines().findFirst() + " → " + answer);
            }
        }
    }

    @Test
    void aBadChunk_isAnswered400OrClosed_andTheServiceGoesOn() throws Exception {
        try (RawHttp client = connect()) {
            RawHttp.Answer answer = client.send(RawHttp.head("POST /v1/models/m/predict HTTP/1.1", "Host: 127.0.0.1",
                    "Authorization: Bearer " + TestService.ADMIN, "Content-Type: application/json", "Transfer-Encoding: chunked")
                    + "zz\r\n{}\r\n0\r\n\r\n").read();
            assertTrue(answer.status() == 0 || answer.status() == 400, answer.toString());
        }
        assertEquals(200, once("GET", "/health/live", null, null).status());
    }

    @Test
    void methods_unknownAre405WithAllow_andShareOneTimer() throws Exception {
        for (String method : List.of("HEAD", "OPTIONS", "PATCH", "FROB")) {
            try (RawHttp client = connect()) {
                RawHttp.Answer answer = client.send(RawHttp.head(method + " /v1/models HTTP/1.1", "Host: 127.0.0.1",
                        "Authorization: Bearer " + TestService.ADMIN)).read();
                assertEquals(405, answer.status(), method);
                assertEquals("GET, POST", answer.header("Allow"), method);
            }
        }
        for (int i = 0; i < 50; i++) {
            try (RawHttp client = connect()) {
                assertEquals(401, client.send(RawHttp.head("M" + i + " /v1/models HTTP/1.1", "Host: 127.0.0.1")).read().status());
            }
        }
        String metrics = once("GET", "/metrics", null, null).body();
        assertFalse(metrics.contains("method=\"M1\""), "an invented method is not a tag of its own");
        assertTrue(metrics.contains("method=\"OTHER\""));
    }

    @Test
    void aHalfSentHead_isClosedAfterTheHeaderTimeout() throws Exception {
        try (RawHttp idle = connect(); RawHttp halfSent = connect()) {
            halfSent.send("GET /hea");
            assertTrue(idle.closedByServer(), "a connection that sends nothing");
            assertTrue(halfSent.closedByServer(), "a request line that never ends");
        }
        try (RawHttp kept = connect()) {
            assertEquals(200, kept.send(RawHttp.head("GET /health/live HTTP/1.1", "Host: 127.0.0.1")).read().status());
            assertTrue(kept.closedByServer(), "the next head is due within the timeout too");
        }
    }

    @Test
    void aBodyThatStopsComing_is408() throws Exception {
        try (RawHttp client = connect()) {
            RawHttp.Answer answer = client.send(post("/v1/models/m/predict", TestService.ADMIN, "application/json", 100) + "{\"id\":").read();
            assertEquals(408, answer.status(), answer.toString());
        }
    }

    @Test
    void bodiesInFlight_areBounded_andReleased() throws Exception {
        try (RawHttp first = connect(); RawHttp second = connect()) {
            first.send(post("/v1/models/m/predict", TestService.ADMIN, "application/json", 90_000) + "{");
            // the first holds 90,000 of the 100,000 bytes until it is answered (here: its body times out)
            awaitMetric("vigie_http_body_bytes_in_flight 90000.0");
            RawHttp.Answer refused = second.send(post("/v1/models/m/predict", TestService.ADMIN, "application/json", 20_000)).read();
            assertEquals(503, refused.status(), refused.toString());
            assertNotNull(refused.header("Retry-After"));
            assertEquals(408, first.read().status());
        }
        RawHttp.Answer after = once("POST", "/v1/models/m/predict", TestService.ADMIN,
                new JsonObject().put("id", "after").put("features", new JsonObject().put("x", 1)).encode());
        assertEquals(200, after.status(), "the budget was given back: " + after.body());
    }

    @Test
    void connections_pastTheMaximum_areClosedOnArrival(@TempDir Path otherDir) throws Exception {
        try (TestService small = new TestService(otherDir, new JsonObject().put("max_connections", 10))) {
            List<RawHttp> held = new ArrayList<>();
            try {
                for (int i = 0; i < 15; i++) {
                    held.add(new RawHttp(small.port(), 5_000));
                }
                int answered = 0;
                int closed = 0;
                for (RawHttp client : held) {
                    int status = client.send(RawHttp.head("GET /health/live HTTP/1.1", "Host: 127.0.0.1")).read().status();
                    answered += status == 200 ? 1 : 0;
                    closed += status == 0 ? 1 : 0;
                }
                assertEquals(10, answered, "the maximum");
                assertEquals(5, closed, "the rest closed on arrival");
            } finally {
                for (RawHttp client : held) {
                    client.close();
                }
            }
            assertEquals(200, small.send("GET", "/health/live", null, null).statusCode(), "closed ones free their places");
        }
    }

    /** Polls /metrics until a line shows up (at most 5 s): the server took what was sent. */
    private static void awaitMetric(String line) throws Exception {
        for (int i = 0; i < 500; i++) {
            if (once("GET", "/metrics", null, null).body().contains(line)) {
                return;
            }
            Thread.onSpinWait();
        }
        throw new AssertionError("/metrics never showed " + line);
    }

    @Test
    void thePage_forbidsFramingAndForeignScripts() throws Exception {
        RawHttp.Answer page = once("GET", "/", null, null);
        assertEquals(200, page.status());
        assertTrue(page.header("Content-Security-Policy").contains("default-src 'self'"), page.headers().toString());
        assertEquals("DENY", page.header("X-Frame-Options"));
        assertEquals("nosniff", once("GET", "/health/live", null, null).header("X-Content-Type-Options"));
    }
}
