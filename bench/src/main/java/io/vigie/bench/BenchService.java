package io.vigie.bench;

import io.vertx.core.DeploymentOptions;
import io.vertx.core.Vertx;
import io.vertx.core.json.JsonObject;
import io.vigie.client.Operation;
import io.vigie.client.VigieClient;
import io.vigie.learner.Schema;
import io.vigie.server.VigieServer;
import io.vigie.server.wire.DefinitionJson;

import java.nio.file.Path;
import java.time.Duration;
import java.util.concurrent.TimeUnit;

/** The service in this JVM on a data dir, and the calls the benchmarks make to it with the admin key, through the Java client. */
final class BenchService implements AutoCloseable {
    static final String KEY = "bench-admin-key-0123456789abcdef";

    private final Vertx vertx = Vertx.vertx();
    private final VigieServer server = new VigieServer();
    private final VigieClient client;

    /** Starts on a free loopback port; {@code config} adds to the defaults or overrides them. Returns once recovered. */
    BenchService(Path dataDir, JsonObject config) throws Exception {
        JsonObject all = new JsonObject().put("port", 0).put("data_dir", dataDir.toString()).put("admin_key", KEY).mergeIn(config);
        vertx.deployVerticle(server, new DeploymentOptions().setConfig(all)).await(60, TimeUnit.SECONDS);
        server.recovered().await(10, TimeUnit.MINUTES); // a long log replays first
        client = new VigieClient("http://127.0.0.1:" + server.port(), KEY, Duration.ofMinutes(2));
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

    /** Creates a model from a preset or MOA CLI string over a schema. */
    void createModel(String name, String model, Schema schema) {
        call(Operation.CREATE_MODEL, new JsonObject().put("name", name).put("model", model).put("schema", DefinitionJson.schema(schema)));
    }

    /**
     * Calls an operation through the Java client with a body already encoded (or null) and the
     * path's values in order; the answer must be the operation's success (else a VigieException).
     */
    JsonObject call(Operation operation, String body, String... pathValues) {
        String answer = client.exchange(operation, null, body, pathValues);
        return answer.isEmpty() ? new JsonObject() : new JsonObject(answer);
    }

    JsonObject call(Operation operation, JsonObject body, String... pathValues) {
        return call(operation, body.encode(), pathValues);
    }

    JsonObject get(Operation operation, String... pathValues) {
        return call(operation, (String) null, pathValues);
    }

    /** Labelled events a model has learned, from the model list (which, unlike the model's own state, never measures it). */
    long learned(String model) {
        for (Object summary : get(Operation.LIST_MODELS).getJsonArray("models")) {
            if (((JsonObject) summary).getString("name").equals(model)) {
                return ((JsonObject) summary).getLong("learned");
            }
        }
        throw new IllegalStateException("no model " + model);
    }

    @Override
    public void close() throws Exception {
        vertx.close().await(5, TimeUnit.MINUTES);
    }
}
