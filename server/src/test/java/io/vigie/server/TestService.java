package io.vigie.server;

import io.vertx.core.DeploymentOptions;
import io.vertx.core.Vertx;
import io.vertx.core.json.JsonObject;

import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Path;
import java.util.concurrent.TimeUnit;

/** The real service on a free loopback port over a data dir, and an HTTP client for it. */
final class TestService implements AutoCloseable {
    static final String ADMIN = "test-admin-key-0123456789abcdef";

    private final Vertx vertx = Vertx.vertx();
    private final VigieServer server;
    private final HttpClient http = HttpClient.newHttpClient();

    TestService(Path dataDir) throws Exception {
        this(dataDir, new JsonObject());
    }

    TestService(Path dataDir, JsonObject extraConfig) throws Exception {
        this(dataDir, extraConfig, java.time.Clock.systemUTC());
    }

    TestService(Path dataDir, JsonObject extraConfig, java.time.Clock clock) throws Exception {
        server = new VigieServer(clock);
        JsonObject config = new JsonObject().put("port", 0).put("data_dir", dataDir.toString()).put("admin_key", ADMIN)
                .mergeIn(extraConfig);
        try {
            vertx.deployVerticle(server, new DeploymentOptions().setConfig(config)).await(30, TimeUnit.SECONDS);
            server.recovered().await(60, TimeUnit.SECONDS);
        } catch (Exception e) {
            vertx.close().await(60, TimeUnit.SECONDS);
            throw e;
        }
    }

    java.util.List<String> routeTable() {
        return server.routeTable();
    }

    /** The admin key the service made at its first start without one, or null. */
    String generatedAdminKey() {
        return server.generatedAdminKey();
    }

    int port() {
        return server.port();
    }

    HttpResponse<String> send(String method, String path, String key, String body) throws Exception {
        HttpRequest.Builder request = HttpRequest.newBuilder(URI.create("http://127.0.0.1:" + port() + path))
                .method(method, body == null ? HttpRequest.BodyPublishers.noBody() : HttpRequest.BodyPublishers.ofString(body));
        if (key != null) {
            request.header("Authorization", "Bearer " + key);
        }
        if (body != null) {
            request.header("Content-Type", "application/json");
        }
        return http.send(request.build(), HttpResponse.BodyHandlers.ofString());
    }

    HttpResponse<String> get(String path) throws Exception {
        return send("GET", path, ADMIN, null);
    }

    HttpResponse<String> post(String path, JsonObject body) throws Exception {
        return send("POST", path, ADMIN, body.encode());
    }

    /**
     * Scores events in one batch, then posts their true labels in one batch, as a fraud platform
     * and its label feed would; the ids are {@code prefix} followed by {@code first}, {@code first + 1}...
     */
    void scoreThenLabel(String model, io.vigie.learner.Schema schema, java.util.List<io.vigie.learner.LabelledEvent> batch,
                        String prefix, int first) throws Exception {
        label(model, score(model, schema, batch, prefix, first));
    }

    /** Scores a batch of events (ids prefix + first, prefix + first + 1...), and returns their labels for {@link #label} to send later. */
    io.vertx.core.json.JsonArray score(String model, io.vigie.learner.Schema schema, java.util.List<io.vigie.learner.LabelledEvent> batch,
                                       String prefix, int first) throws Exception {
        io.vertx.core.json.JsonArray events = new io.vertx.core.json.JsonArray();
        io.vertx.core.json.JsonArray labels = new io.vertx.core.json.JsonArray();
        for (int i = 0; i < batch.size(); i++) {
            com.yahoo.labs.samoa.instances.Instance instance = batch.get(i).instance();
            JsonObject features = new JsonObject();
            schema.namedValues(instance.toDoubleArray()).forEach(features::put);
            events.add(new JsonObject().put("id", prefix + (first + i)).put("features", features));
            labels.add(new JsonObject().put("id", prefix + (first + i)).put("label", schema.classes().get((int) instance.classValue())));
        }
        expect(200, post("/v1/models/" + model + "/predict/batch", new JsonObject().put("events", events)));
        return labels;
    }

    void label(String model, io.vertx.core.json.JsonArray labels) throws Exception {
        expect(202, post("/v1/models/" + model + "/labels", new JsonObject().put("labels", labels)));
    }

    /** The JSON body of a response that must have the given status. */
    static JsonObject expect(int status, HttpResponse<String> response) {
        if (response.statusCode() != status) {
            throw new AssertionError("expected " + status + ", got " + response.statusCode() + ": " + response.body());
        }
        return response.body().isEmpty() ? new JsonObject() : new JsonObject(response.body());
    }

    @Override
    public void close() throws Exception {
        vertx.close().await(60, TimeUnit.SECONDS);
    }
}
