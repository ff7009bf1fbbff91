package io.vigie.server.http;

import com.yahoo.labs.samoa.instances.Instance;
import io.vertx.core.json.JsonObject;
import io.vertx.ext.web.Router;
import io.vertx.ext.web.RoutingContext;
import io.vigie.learner.Schema;
import io.vigie.server.ApiProblem;
import io.vigie.server.auth.Role;
import io.vigie.server.model.EventRequest;
import io.vigie.server.auth.ApiKeys;
import io.vigie.server.model.ItemResult;
import io.vigie.server.model.KnownIds;
import io.vigie.server.model.LabelRequest;
import io.vigie.server.model.ModelWriter;
import io.vigie.server.model.Models;
import io.vigie.server.model.Outcome;
import io.vigie.server.model.ScoreRequest;
import io.vigie.server.store.ScoredEvent;
import io.vigie.server.wire.EventJson;
import io.vigie.server.wire.Fields;
import io.vigie.server.wire.Json;
import io.vigie.server.wire.Renderings;

import java.util.List;
import java.util.function.Supplier;

/**
 * The routes a fraud platform calls: predictions, labels, labelled events, and the stored scoring
 * of an id. Requests are parsed and checked on the event loop and handed to the model's writer.
 */
final class ScoringApi {
    private final Supplier<Models> models;
    private final Api.Limits limits;

    ScoringApi(Supplier<Models> models, Api.Limits limits) {
        this.models = models;
        this.limits = limits;
    }

    void mount(Router router) {
        router.post("/v1/models/:name/predict").handler(Authorization.require(Role.PREDICT)).handler(this::predict);
        router.post("/v1/models/:name/predict/batch").handler(Authorization.require(Role.PREDICT)).handler(this::predictBatch);
        router.post("/v1/models/:name/labels").handler(Authorization.require(Role.LABEL)).handler(this::labels);
        router.post("/v1/models/:name/events").handler(Authorization.require(Role.LABEL)).handler(this::events);
        router.get("/v1/models/:name/predictions/:id").handler(Authorization.require(Role.READ)).handler(this::storedPrediction);
    }

    private ModelWriter writer(RoutingContext ctx) {
        return models.get().get(ctx.pathParam("name"));
    }

    private void predict(RoutingContext ctx) {
        ModelWriter writer = writer(ctx);
        JsonObject body = Bodies.object(ctx);
        Fields.only(body, "the event", EventJson.TO_SCORE);
        Schema schema = writer.definition().schema();
        ScoreRequest request = new ScoreRequest(EventJson.id(body), EventJson.instance(schema, body, writer.unknownCategories()),
                EventJson.time(body), EventJson.keys(body, writer.definition().keys()));
        boolean explain = explain(ctx);
        Answers.respond(ctx, 200, writer.predict(request, explain, knownIds(ctx))
                .thenApply(scored -> explain && !writer.definition().aggregates().isEmpty()
                        ? Renderings.prediction(scored, schema).put("computed", Renderings.computed(writer.definition(), request.event()))
                        : Renderings.prediction(scored, schema)));
    }

    /** {@code ?explain=true} (or false): whether a prediction says why. */
    private static boolean explain(RoutingContext ctx) {
        return flag(ctx, "explain");
    }

    /**
     * An id already stored is refused (409), unless {@code ?replace=true} asks to score a pending
     * one again; that changes what its label will be learned from, so it takes the label role.
     */
    private static KnownIds knownIds(RoutingContext ctx) {
        if (!flag(ctx, "replace")) {
            return KnownIds.REFUSE;
        }
        ApiKeys.Identity identity = ctx.get(Authorization.IDENTITY);
        if (!identity.may(Role.LABEL)) {
            throw ApiProblem.forbidden("scoring a stored id again (replace=true) changes what its label will be learned from: "
                    + "it needs the 'label' role");
        }
        return KnownIds.REPLACE;
    }

    private static boolean flag(RoutingContext ctx, String name) {
        String value = ctx.queryParams().get(name);
        if (value == null || value.equals("false")) {
            return false;
        }
        if (value.equals("true")) {
            return true;
        }
        throw ApiProblem.badParameter("'" + name + "' must be true or false, got '" + Json.quote(value) + "'");
    }

    /**
     * Scores the events of a batch that read; each one that does not gets its own problem in its
     * place. 200 if any was scored, else the status the problems share (422 when they differ).
     */
    private void predictBatch(RoutingContext ctx) {
        ModelWriter writer = writer(ctx);
        Schema schema = writer.definition().schema();
        Batch<ScoreRequest> events = Bodies.scorings(ctx, writer.definition(), writer.unknownCategories(), limits.maxBatch());
        KnownIds known = knownIds(ctx);
        if (events.accepted().isEmpty()) {
            Answers.json(ctx, events.refusedStatus(), new JsonObject().put("predictions", events.answers(List.of())));
            return;
        }
        Answers.respond(ctx, 200, writer.predictAll(events.accepted(), known).thenApply(scored -> new JsonObject()
                .put("predictions", events.answers(scored.stream().map(s -> Renderings.prediction(s, schema)).toList()))));
    }

    private void labels(RoutingContext ctx) {
        ModelWriter writer = writer(ctx);
        Schema schema = writer.definition().schema();
        JsonObject body = Bodies.object(ctx);
        if (!body.containsKey("labels")) {
            Fields.only(body, "the label (or a batch {\"labels\": [...]})", EventJson.LABEL);
            Answers.respond(ctx, 202, writer.label(List.of(label(schema, body))).thenApply(results -> single(results.get(0))));
            return;
        }
        Batch<LabelRequest> batch = Batch.check(Bodies.batch(body, "labels", limits.maxBatch()),
                "each label must be an object {\"id\", \"label\"}",
                item -> {
                    Fields.only(item, "the label", EventJson.LABEL);
                    return label(schema, item);
                });
        Answers.respondBatch(ctx, writer.label(batch.accepted()).thenApply(batch::results));
    }

    private static LabelRequest label(Schema schema, JsonObject json) {
        return new LabelRequest(EventJson.id(json), EventJson.classIndex(schema, json), EventJson.time(json), null);
    }

    private void events(RoutingContext ctx) {
        ModelWriter writer = writer(ctx);
        Schema schema = writer.definition().schema();
        JsonObject body = Bodies.object(ctx);
        if (!body.containsKey("events")) {
            EventRequest request = labelledEvent(schema, writer.unknownCategories(), body);
            Answers.respond(ctx, 202, writer.learn(List.of(request)).thenApply(results -> single(results.get(0))));
            return;
        }
        Batch<EventRequest> batch = Batch.check(Bodies.batch(body, "events", limits.maxBatch()),
                "each event must be an object {\"id\", \"features\", \"label\"}", item -> labelledEvent(schema, writer.unknownCategories(), item));
        Answers.respondBatch(ctx, writer.learn(batch.accepted()).thenApply(batch::results));
    }

    private static EventRequest labelledEvent(Schema schema, java.util.function.IntConsumer unknownCategory, JsonObject item) {
        Fields.only(item, "the labelled event", EventJson.LABELLED);
        String id = EventJson.id(item);
        int label = EventJson.classIndex(schema, item);
        Instance instance = EventJson.instance(schema, item, unknownCategory);
        instance.setClassValue(label);
        return new EventRequest(id, instance, EventJson.time(item), null);
    }

    /** One label's or event's outcome as a whole response: 202 if learned (or it confirms an implied label), else its problem. */
    private static JsonObject single(ItemResult result) {
        if (result.outcome() == Outcome.CONFIRMED) {
            return new JsonObject().put("id", result.id()).put("status", "confirmed");
        }
        if (result.outcome() != Outcome.LEARNED) {
            throw Batch.problem(result);
        }
        return new JsonObject().put("id", result.id()).put("status", "learned").put("version", result.version());
    }

    private void storedPrediction(RoutingContext ctx) {
        ModelWriter writer = writer(ctx);
        String id = ctx.pathParam("id");
        Answers.blocking(ctx, () -> {
            ScoredEvent event = writer.storedEvent(id);
            if (event == null) {
                throw ApiProblem.notFound("unknown-id", "model '" + writer.definition().name() + "' has no stored prediction for id '"
                        + id + "' (never scored, or expired after " + writer.definition().labelTtl() + ")");
            }
            return Renderings.stored(id, event, writer.definition().schema(), writer.definition().keys());
        }, json -> Answers.json(ctx, 200, json));
    }

}
