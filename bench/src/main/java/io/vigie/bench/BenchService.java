package io.vigie.bench;

import io.vertx.core.DeploymentOptions;
import io.vertx.core.Vertx;
import io.vertx.core.json.JsonObject;
import io.vigie.learner.Schema;
import io.vigie.server.VigieServer;
import io.vigie.server.wire.DefinitionJson;

import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Path;
import java.time.Duration;
import java.util.concurrent.TimeUnit;

/** The service in this JVM on a data dir, and the calls the benchmarks make to it with the admin key. */
final class BenchService implements AutoCloseable {
    static final String KEY = "bench-admin-key-0123456789abcdef";
    private static final HttpClient HTTP = HttpClient.newBuilder().version(HttpClient.Version.HTTP_1_1).build();

    private final Vertx vertx = Vertx.vertx();
    private final VigieServer server = new VigieServer();

    /** Starts on a free loopback port; {@code config} adds to the defaults or overrides them. Returns once recovered. */
    BenchService(Path dataDir, JsonObject config) throws Exception {
        JsonObject all = new JsonObject().put("port", 0).put("data_dir", dataDir.toString()).put("admin_key", KEY).mergeIn(config);
        vertx.deployVerticle(server, new DeploymentOptions().setConfig(all)).await(60, TimeUnit.SECONDS);
        server.recovered().await(10, TimeUnit.MINUTES); // a long log replays first
    }

    BenchService(Path dataDir) throws Exception {
        this(dataDir, new JsonObject());
    }

    int port() {
        return server.port();
    }

    /** The service's Vert.x, to deploy a ceiling endpoint beside it. */
    Vertx vertx() {
        return vertx;
    }

    JsonObject post(String path, JsonObject body, int expected) throws Exception {
        return post(path, body.encode(), expected);
    }

    /** Creates a model from a preset or MOA CLI string over a schema. */
    void createModel(String name, String model, Schema schema) throws Exception {
        post("/v1/models", new JsonObject().put("name", name).put("model", model).put("schema", DefinitionJson.schema(schema)), 201);
    }

    /** Posts a body that must get the expected status, and returns the answer. */
    JsonObject post(String path, String body, int expected) throws Exception {
        HttpResponse<String> response = send("POST", path, body);
        if (response.statusCode() != expected) {
            throw new IllegalStateException("POST " + path + " answered " + response.statusCode() + ": " + response.body());
        }
        return new JsonObject(response.body());
    }

    JsonObject get(String path) throws Exception {
        HttpResponse<String> response = send("GET", path, null);
        if (response.statusCode() != 200) {
            throw new IllegalStateException("GET " + path + " answered " + response.statusCode() + ": " + response.body());
        }
        return new JsonObject(response.body());
    }

    /** Labelled events a model has learned, from the model list (which, unlike the model's own state, never measures it). */
    long learned(String model) throws Exception {
        for (Object summary : get("/v1/models").getJsonArray("models")) {
            if (((JsonObject) summary).getString("name").equals(model)) {
                return ((JsonObject) summary).getLong("learned");
            }
        }
        throw new IllegalStateException("no model " + model);
    }

    /** A request whatever its answer (the soak counts errors rather than stopping). */
    HttpResponse<String> send(String method, String path, String body) throws Exception {
        return HTTP.send(HttpRequest.newBuilder(URI.create("http://127.0.0.1:" + port() + path)).timeout(Duration.ofMinutes(2))
                .header("Authorization", "Bearer " + KEY).header("Content-Type", "application/json")
                .method(method, body == null ? HttpRequest.BodyPublishers.noBody() : HttpRequest.BodyPublishers.ofString(body))
                .build(), HttpResponse.BodyHandlers.ofString());
    }

    @Override
    public void close() throws Exception {
        vertx.close().await(5, TimeUnit.MINUTES);
    }
}
