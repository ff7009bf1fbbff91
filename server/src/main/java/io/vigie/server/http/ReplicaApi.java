package io.vigie.server.http;

import com.yahoo.labs.samoa.instances.Instance;
import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;
import io.vertx.ext.web.Router;
import io.vertx.ext.web.RoutingContext;
import io.vigie.learner.Prediction;
import io.vigie.server.ApiProblem;
import io.vigie.server.model.ModelDefinition;
import io.vigie.server.auth.Role;
import io.vigie.server.kafka.ReplicaModels;
import io.vigie.server.wire.EventJson;

import java.util.Comparator;
import java.util.function.Supplier;
import io.vigie.server.wire.Renderings;
import io.vigie.server.model.Scored;

/**
 * A serving replica's API: predictions from the versions the learner published, and the list of
 * what it serves. Nothing is stored and nothing is learned here; the other routes are the
 * learner's.
 */
public final class ReplicaApi {
    private final Supplier<ReplicaModels> replica;
    private final Api.Limits limits;

    public ReplicaApi(Supplier<ReplicaModels> replica, Api.Limits limits) {
        this.replica = replica;
        this.limits = limits;
    }

    /** Adds the routes, each behind the role it needs (the key itself is checked by the {@link FrontDoor}). */
    public void mount(Router router) {
        router.get("/v1/models").handler(Authorization.require(Role.READ)).handler(this::list);
        router.post("/v1/models/:name/predict").handler(Authorization.require(Role.PREDICT)).handler(this::predict);
        router.post("/v1/models/:name/predict/batch").handler(Authorization.require(Role.PREDICT)).handler(this::predictBatch);
    }

    private void list(RoutingContext ctx) {
        JsonArray models = new JsonArray();
        replica.get().all().stream().sorted(Comparator.comparing(s -> s.definition().name())).forEach(s -> models.add(new JsonObject()
                .put("name", s.definition().name()).put("model", s.definition().spec().model()).put("version", s.version())
                .put("learned", s.model().learner().learned())));
        Answers.json(ctx, 200, new JsonObject().put("models", models).put("replica", true));
    }

    private ReplicaModels.Served served(RoutingContext ctx) {
        ReplicaModels.Served served = replica.get().get(ctx.pathParam("name"));
        if (served == null) {
            throw ApiProblem.notFound("unknown-model", "this replica serves no model named '" + ctx.pathParam("name")
                    + "' (yet: it loads versions as the learner publishes them)");
        }
        return served;
    }

    private void predict(RoutingContext ctx) {
        ReplicaModels.Served served = served(ctx);
        JsonObject body = Bodies.object(ctx);
        String id = EventJson.id(body);
        Instance instance = EventJson.instance(served.definition().schema(), body, unknownCategories(served));
        Answers.json(ctx, 200, answer(served, id, instance));
    }

    private void predictBatch(RoutingContext ctx) {
        ReplicaModels.Served served = served(ctx);
        Batch<io.vigie.server.model.ScoreRequest> events = Bodies.scorings(ctx, served.definition(), unknownCategories(served), limits.maxBatch());
        java.util.List<JsonObject> predictions = events.accepted().stream().map(e -> answer(served, e.id(), e.event())).toList();
        Answers.json(ctx, predictions.isEmpty() ? events.refusedStatus() : 200, new JsonObject().put("predictions",
                events.answers(predictions)));
    }

    /** A replica scores a category its schema does not list as its learner does (missing, or a 422); it counts nothing. */
    private static java.util.function.IntConsumer unknownCategories(ReplicaModels.Served served) {
        return served.definition().unknownValues() == ModelDefinition.UnknownValues.REJECT ? null : feature -> { };
    }

    private static JsonObject answer(ReplicaModels.Served served, String id, Instance instance) {
        Prediction prediction;
        synchronized (served.model()) {
            prediction = served.model().predict(instance);
        }
        return Renderings.prediction(new Scored(id, prediction, served.version()), served.definition().schema())
                .put("replica", true);
    }
}
