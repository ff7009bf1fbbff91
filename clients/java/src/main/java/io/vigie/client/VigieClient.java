package io.vigie.client;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.time.Duration;

/**
 * A client of the Vigie service for Java programs: any {@link Operation} by {@link #call}, the
 * common ones by name. An answer other than the operation's success is a {@link VigieException}
 * with the service's problem. Thread-safe; one per service is enough.
 *
 * <pre>{@code
 * VigieClient vigie = new VigieClient("http://127.0.0.1:8080", key);
 * JsonNode answer = vigie.predict("cards", event);            // {"id", "features"}
 * vigie.postLabels("cards", labels);                          // [{"id", "label"}, ...], days later
 * double accuracy = vigie.getModel("cards").at("/metrics/cumulative/accuracy").asDouble();
 * }</pre>
 */
public final class VigieClient {
    private static final ObjectMapper JSON = new ObjectMapper();

    private final String url;
    private final String key;
    private final HttpClient http;
    private final Duration timeout;

    public VigieClient(String url, String key) {
        this(url, key, Duration.ofMinutes(2));
    }

    /** {@code timeout}: how long one request may take (a batch of learning included). */
    public VigieClient(String url, String key, Duration timeout) {
        this.url = url.replaceAll("/+$", "");
        this.key = key;
        this.timeout = timeout;
        this.http = HttpClient.newBuilder().version(HttpClient.Version.HTTP_1_1).connectTimeout(Duration.ofSeconds(5)).build();
    }

    public String url() {
        return url;
    }

    /** Calls an operation with a JSON body (or null) and the path's values in order; its answer as JSON (empty for 204). */
    public JsonNode call(Operation operation, JsonNode body, String... pathValues) {
        String text = exchange(operation, null, body == null ? null : body.toString(), pathValues);
        try {
            return text.isEmpty() ? JSON.createObjectNode() : JSON.readTree(text);
        } catch (IOException e) {
            throw new UncheckedIOException(operation.id() + " answered text that is not JSON", e);
        }
    }

    /**
     * Calls an operation with a body already encoded (or null) and a query ({@code "explain=true"}, or
     * null); returns the answer's text, for callers that read it their own way.
     */
    public String exchange(Operation operation, String query, String body, String... pathValues) {
        String target = url + operation.path(pathValues) + (query == null ? "" : "?" + query);
        HttpRequest.Builder request = HttpRequest.newBuilder(URI.create(target)).timeout(timeout)
                .header("Authorization", "Bearer " + key)
                .method(operation.method(), body == null ? HttpRequest.BodyPublishers.noBody() : HttpRequest.BodyPublishers.ofString(body));
        if (body != null) {
            request.header("Content-Type", "application/json");
        }
        HttpResponse<String> response;
        try {
            response = http.send(request.build(), HttpResponse.BodyHandlers.ofString());
        } catch (IOException e) {
            throw new UncheckedIOException(operation.method() + " " + target + " failed: " + e.getMessage(), e);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new IllegalStateException("interrupted while calling " + operation.id(), e);
        }
        if (response.statusCode() != operation.success()) {
            throw new VigieException(operation, response.statusCode(), readOrNull(response.body()), response.body());
        }
        return response.body();
    }

    private static JsonNode readOrNull(String text) {
        try {
            return JSON.readTree(text);
        } catch (IOException e) {
            return null;
        }
    }

    // ---- models ---------------------------------------------------------------------------------

    /** {@code definition}: {"name", "schema": {"features", "classes"}, "model", "seed", "abstention", "label_ttl"}. */
    public JsonNode createModel(ObjectNode definition) {
        return call(Operation.CREATE_MODEL, definition);
    }

    /** The models' summaries: name, status, model, version, learned, pending. */
    public ArrayNode listModels() {
        return (ArrayNode) call(Operation.LIST_MODELS, null).get("models");
    }

    public JsonNode getModel(String name) {
        return call(Operation.GET_MODEL, null, name);
    }

    public void deleteModel(String name) {
        call(Operation.DELETE_MODEL, null, name);
    }

    // ---- scoring and labels ---------------------------------------------------------------------

    /** {@code event}: {"id", "features"}. */
    public JsonNode predict(String model, ObjectNode event) {
        return call(Operation.PREDICT, event, model);
    }

    /**
     * The predictions of {@code events} ({"id", "features"} each), in their order; an event that
     * could not be read holds its own problem ({"id", "status", "outcome": "invalid", "detail"}).
     */
    public ArrayNode predictBatch(String model, ArrayNode events) {
        ObjectNode body = JSON.createObjectNode();
        body.set("events", events);
        return (ArrayNode) call(Operation.PREDICT_BATCH, body, model).get("predictions");
    }

    /** Labels ({"id", "label"} each): {"learned", "results"}; a batch of which nothing was learned is a VigieException. */
    public JsonNode postLabels(String model, ArrayNode labels) {
        ObjectNode body = JSON.createObjectNode();
        body.set("labels", labels);
        return call(Operation.POST_LABELS, body, model);
    }

    /** Labelled events never scored ({"id", "features", "label"} each), scored then learned. */
    public JsonNode postEvents(String model, ArrayNode events) {
        ObjectNode body = JSON.createObjectNode();
        body.set("events", events);
        return call(Operation.POST_EVENTS, body, model);
    }

    public JsonNode getStoredPrediction(String model, String id) {
        return call(Operation.GET_STORED_PREDICTION, null, model, id);
    }

    // ---- what the model knows ---------------------------------------------------------------------

    public JsonNode getDrifts(String model) {
        return call(Operation.GET_DRIFTS, null, model);
    }

    public JsonNode getTimeline(String model) {
        return call(Operation.GET_TIMELINE, null, model);
    }

    public JsonNode getComparison(String model) {
        return call(Operation.GET_COMPARISON, null, model);
    }

    /** {@code challenger}: {"name", "model", "seed", "mode", "share", "auto_promote"}. */
    public JsonNode addChallenger(String model, ObjectNode challenger) {
        return call(Operation.ADD_CHALLENGER, challenger, model);
    }
}
