package io.vigie.server.http;

import io.vertx.core.buffer.Buffer;
import io.vertx.core.json.DecodeException;
import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;
import io.vertx.ext.web.RoutingContext;
import io.vigie.server.ApiProblem;
import io.vigie.server.model.Json;

import java.nio.charset.StandardCharsets;

/** Reads request bodies, refusing anything that is not the JSON object a route expects (400). */
final class Bodies {
    private Bodies() {
    }

    static JsonObject object(RoutingContext ctx) {
        Buffer body = ctx.body().buffer();
        if (body == null || body.length() == 0) {
            throw ApiProblem.badRequest("the body is empty; this route takes a JSON object");
        }
        Object value;
        try {
            value = JsonText.decode(body);
        } catch (DecodeException e) {
            if (body.toString(StandardCharsets.UTF_8).isBlank()) {
                throw ApiProblem.badRequest("the body is empty; this route takes a JSON object");
            }
            throw ApiProblem.badRequest("the body is not valid JSON: " + firstLine(e.getMessage()));
        }
        if (!(value instanceof JsonObject object)) {
            throw ApiProblem.badRequest("the body must be a JSON object, got " + Json.describe(value));
        }
        return object;
    }

    /** A batch's items: the array under {@code field}, with at most {@code max} items (413 above). */
    static JsonArray batch(JsonObject body, String field, int max) {
        JsonArray items = Json.array(body, field);
        if (items.isEmpty()) {
            throw ApiProblem.badRequest("'" + field + "' is empty");
        }
        if (items.size() > max) {
            throw ApiProblem.tooLarge("'" + field + "' holds " + items.size() + " items; the maximum batch is " + max);
        }
        return items;
    }

    private static String firstLine(String message) {
        if (message == null) {
            return "";
        }
        int end = message.indexOf('\n');
        String line = end < 0 ? message : message.substring(0, end);
        return line.length() > 200 ? line.substring(0, 200) + "…" : line;
    }
}
