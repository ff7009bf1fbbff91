package io.vigie.server.http;

import com.yahoo.labs.samoa.instances.Instance;
import io.vertx.core.buffer.Buffer;
import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;
import io.vertx.ext.web.RoutingContext;
import io.vigie.learner.Schema;
import io.vigie.server.ApiProblem;
import io.vigie.server.model.ModelDefinition;
import io.vigie.server.model.ScoreRequest;
import io.vigie.server.wire.EventJson;
import io.vigie.server.wire.Fields;
import io.vigie.server.wire.Json;
import io.vigie.server.wire.JsonText;

import java.util.Set;
import java.util.function.IntConsumer;

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

    /**
     * Reads {@code {"events": [{"id", "features"}, ...]}} (413 above {@code maxBatch}): the events
     * that read are accepted, each one that does not keeps its own problem, so that one bad event
     * does not fail the others. {@code unknownCategory}: as {@link EventJson#instance}.
     */
    static Batch<ScoreRequest> scorings(RoutingContext ctx, ModelDefinition definition, IntConsumer unknownCategory, int maxBatch) {
        return Batch.check(batch(object(ctx), "events", maxBatch), "each event must be an object {\"id\", \"features\"}", event -> {
            Fields.only(event, "the event", EventJson.TO_SCORE);
            return new ScoreRequest(EventJson.id(event), EventJson.instance(definition.schema(), event, unknownCategory),
                    EventJson.time(event), EventJson.keys(event, definition.keys()));
        });
    }
}
