package io.vigie.server.http;

import com.yahoo.labs.samoa.instances.Instance;
import io.vertx.core.buffer.Buffer;
import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;
import io.vertx.ext.web.RoutingContext;
import io.vigie.learner.Schema;
import io.vigie.server.ApiProblem;
import io.vigie.server.wire.EventJson;
import io.vigie.server.wire.Fields;
import io.vigie.server.wire.Json;
import io.vigie.server.wire.JsonText;

import java.util.ArrayList;
import java.util.List;
import java.util.Set;

/** Reads request bodies, refusing anything that is not the JSON object a route expects (400). */
final class Bodies {
    private Bodies() {
    }

    /** The body {@link JsonBody} read, as the JSON object the route takes. */
    static JsonObject object(RoutingContext ctx) {
        Buffer body = ctx.get(JsonBody.BODY);
        return JsonText.object(body == null ? null : body.getBytes(), "the body");
    }

    /** A batch's items: the array under {@code field}, with at most {@code max} items (413 above). */
    static JsonArray batch(JsonObject body, String field, int max) {
        Fields.only(body, "the batch", Set.of(field));
        JsonArray items = Json.array(body, field);
        if (items.isEmpty()) {
            throw ApiProblem.badRequest("'" + field + "' is empty");
        }
        if (items.size() > max) {
            throw ApiProblem.tooLarge("'" + field + "' holds " + items.size() + " items; the maximum batch is " + max);
        }
        return items;
    }

    /** The ids and instances of a predict batch, in order. */
    record Scorings(List<String> ids, List<Instance> instances) {
    }

    /** Reads {@code {"events": [{"id", "features"}, ...]}}: 413 above {@code maxBatch}, the first bad item's 4xx named by its index. */
    static Scorings scorings(RoutingContext ctx, Schema schema, int maxBatch) {
        JsonArray events = batch(object(ctx), "events", maxBatch);
        List<String> ids = new ArrayList<>(events.size());
        List<Instance> instances = new ArrayList<>(events.size());
        for (int i = 0; i < events.size(); i++) {
            if (!(events.getValue(i) instanceof JsonObject event)) {
                throw ApiProblem.badRequest("events[" + i + "] must be an object {\"id\", \"features\"}");
            }
            try {
                Fields.only(event, "the event", EventJson.TO_SCORE);
                ids.add(EventJson.id(event));
                instances.add(EventJson.instance(schema, event));
            } catch (ApiProblem problem) {
                throw problem.status() == 400 ? ApiProblem.badRequest("events[" + i + "]: " + problem.getMessage())
                        : ApiProblem.invalid("events[" + i + "]: " + problem.getMessage());
            }
        }
        return new Scorings(ids, instances);
    }
}
