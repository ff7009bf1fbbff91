package io.vigie.server;

import io.vertx.core.DeploymentOptions;
import io.vertx.core.Vertx;
import io.vertx.core.json.JsonObject;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.util.concurrent.TimeUnit;

import static org.junit.jupiter.api.Assertions.assertEquals;

/** The real server on a free loopback port, called over HTTP. */
class VigieServerTest {
    private Vertx vertx;
    private VigieServer server;
    private final HttpClient http = HttpClient.newHttpClient();

    @BeforeEach
    void start() throws Exception {
        vertx = Vertx.vertx();
        server = new VigieServer();
        vertx.deployVerticle(server, new DeploymentOptions().setConfig(new JsonObject().put("port", 0)))
                .await(10, TimeUnit.SECONDS);
    }

    @AfterEach
    void stop() throws Exception {
        vertx.close().await(10, TimeUnit.SECONDS);
    }

    private HttpResponse<String> get(String path) throws Exception {
        return http.send(HttpRequest.newBuilder(URI.create("http://127.0.0.1:" + server.port() + path)).build(),
                HttpResponse.BodyHandlers.ofString());
    }

    @Test
    void health_answersWithoutAuth() throws Exception {
        HttpResponse<String> live = get("/health/live");
        assertEquals(200, live.statusCode());
        assertEquals("UP", new JsonObject(live.body()).getString("status"));
        HttpResponse<String> ready = get("/health/ready");
        assertEquals(200, ready.statusCode());
        assertEquals("READY", new JsonObject(ready.body()).getString("status"));
    }

    @Test
    void unknownRoute_is404() throws Exception {
        assertEquals(404, get("/nope").statusCode());
    }
}
