package io.vigie.server.http;

import io.vertx.core.Future;
import io.vertx.core.Handler;
import io.vertx.core.Vertx;
import io.vertx.core.buffer.Buffer;
import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;
import io.vertx.ext.web.Router;
import io.vertx.ext.web.RoutingContext;
import io.vigie.server.ApiProblem;
import io.vigie.server.auth.ApiKeys;
import io.vigie.server.auth.Role;
import io.vigie.server.wire.Json;
import io.vigie.server.audit.Audit;
import io.vigie.server.model.ModelDefinition;
import io.vigie.server.model.ModelWriter;
import io.vigie.server.model.ModelChanges;
import io.vigie.server.model.Models;
import io.vigie.server.cluster.Cluster;
import io.vigie.server.store.Versions;

import java.util.ArrayList;
import java.util.EnumSet;
import java.util.List;
import java.util.Set;
import java.util.concurrent.CompletionStage;
import java.util.function.Supplier;
import io.vigie.server.wire.Renderings;
import io.vigie.server.wire.ChallengerRequest;
import io.vigie.server.wire.DefinitionJson;
import io.vigie.server.wire.Fields;

/**
 * The {@code /v1} routes. Handlers parse and check requests on the event loop, hand model work
 * to the model's writer and blocking work (files, RocksDB reads) to worker threads, and answer
 * when it completes.
 */
public final class Api {
    /** Limits on what one request may carry (the body's bytes are the front door's: {@link FrontDoor}). */
    public record Limits(int maxBatch) {
        public static final Limits DEFAULTS = new Limits(1000);
    }

    private final Vertx vertx;
    private final Supplier<Models> models;
    private final Supplier<ApiKeys> keys;
    private final Limits limits;
    private final java.time.Clock clock;
    private final Supplier<Audit> audit;
    private final ScoringApi scoring;
    private final Supplier<Cluster> cluster;
    private final ClusterRouting routing;

    /** {@code models}, {@code keys} and {@code audit} return null until recovery is done; routes answer 503 meanwhile. */
    public Api(Vertx vertx, Supplier<Models> models, Supplier<ApiKeys> keys, Supplier<Audit> audit, Limits limits,
               java.time.Clock clock) {
        this(vertx, models, keys, audit, limits, clock, null);
    }

    /**
     * As a member of a cluster when {@code cluster} is given (its value null until it has joined):
     * requests about a model another instance owns are forwarded there. A single instance passes
     * null, and its requests do not go through the forwarding route at all.
     */
    public Api(Vertx vertx, Supplier<Models> models, Supplier<ApiKeys> keys, Supplier<Audit> audit, Limits limits,
               java.time.Clock clock, Supplier<Cluster> cluster) {
        this.cluster = cluster == null ? () -> null : cluster;
        this.routing = cluster == null ? null : new ClusterRouting(vertx, cluster);
        this.vertx = vertx;
        this.clock = clock;
        this.models = models;
        this.keys = keys;
        this.audit = audit;
        this.limits = limits;
        this.scoring = new ScoringApi(models, limits);
    }

    /** Adds the routes, each behind the role it needs. */
    public void mount(Router router) {
        if (routing != null) {
            routing.mount(router);
        }
        router.post("/v1/keys").handler(role(Role.ADMIN)).handler(Authorization.everyModel()).handler(this::createKey);
        router.get("/v1/keys").handler(role(Role.ADMIN)).handler(Authorization.everyModel()).handler(this::listKeys);
        router.delete("/v1/keys/:id").handler(role(Role.ADMIN)).handler(Authorization.everyModel()).handler(this::revokeKey);
        router.post("/v1/models").handler(role(Role.ADMIN)).handler(this::createModel);
        router.get("/v1/models").handler(role(Role.READ)).handler(this::listModels);
        router.get("/v1/models/:name").handler(role(Role.READ)).handler(this::getModel);
        router.delete("/v1/models/:name").handler(role(Role.ADMIN)).handler(this::deleteModel);
        scoring.mount(router);
        router.get("/v1/models/:name/drifts").handler(role(Role.READ)).handler(this::drifts);
        router.get("/v1/models/:name/timeline").handler(role(Role.READ)).handler(this::timeline);
        router.get("/v1/models/:name/versions").handler(role(Role.READ)).handler(this::versions);
        router.post("/v1/models/:name/versions").handler(role(Role.ADMIN)).handler(this::snapshot);
        router.get("/v1/models/:name/versions/:version/snapshot").handler(role(Role.ADMIN)).handler(this::snapshotFile);
        router.delete("/v1/models/:name/versions/:version").handler(role(Role.ADMIN)).handler(this::deleteVersion);
        router.post("/v1/models/:name/rollback").handler(role(Role.ADMIN)).handler(this::rollback);
        router.post("/v1/models/:name/challengers").handler(role(Role.ADMIN)).handler(this::addChallenger);
        router.delete("/v1/models/:name/challengers/:challenger").handler(role(Role.ADMIN)).handler(this::removeChallenger);
        router.get("/v1/models/:name/comparison").handler(role(Role.READ)).handler(this::comparison);
        router.post("/v1/models/:name/promote").handler(role(Role.ADMIN)).handler(this::promote);
        router.get("/v1/audit").handler(role(Role.ADMIN)).handler(Authorization.everyModel()).handler(this::auditEntries);
    }

    // ---- auth -------------------------------------------------------------------------------

    private static Handler<RoutingContext> role(Role role) {
        return Authorization.require(role);
    }

    private void createKey(RoutingContext ctx) {
        JsonObject body = Bodies.object(ctx);
        Fields.only(body, "the key request", Set.of("roles", "models", "expires_at"));
        List<String> names = Json.strings(body, "roles");
        if (names.isEmpty()) {
            throw ApiProblem.invalid("'roles' must name at least one of predict, label, read, admin");
        }
        Set<Role> roles = EnumSet.noneOf(Role.class);
        for (String name : names) {
            Role role = Role.parse(name);
            if (role == null) {
                throw ApiProblem.invalid("unknown role '" + Json.quote(name) + "'; roles are predict, label, read, admin");
            }
            roles.add(role);
        }
        Set<String> scope = new java.util.TreeSet<>(body.containsKey("models") ? Json.strings(body, "models") : List.of());
        for (String model : scope) {
            if (!ModelDefinition.NAME.matcher(model).matches()) {
                throw ApiProblem.invalid("'models' holds '" + Json.quote(model) + "', which cannot be a model's name");
            }
        }
        long expiresAt = 0;
        if (body.containsKey("expires_at")) {
            String text = Json.string(body, "expires_at", true);
            try {
                expiresAt = java.time.Instant.parse(text).toEpochMilli();
            } catch (java.time.format.DateTimeParseException e) {
                throw ApiProblem.invalid("'expires_at' must be an RFC 3339 time such as 2027-01-31T00:00:00Z, got '" + Json.quote(text) + "'");
            }
            if (expiresAt <= clock.millis()) {
                throw ApiProblem.invalid("'expires_at' (" + text + ") is already past");
            }
        }
        long expiry = expiresAt;
        Answers.blocking(ctx, () -> {
            models.get().disk().check(); // below the reserve no key is made: it could not be stored
            ApiKeys.Created created;
            try {
                created = keyChanges().create(roles, scope, expiry);
            } catch (java.io.IOException e) {
                throw ApiProblem.unavailable("storage-failed", "the key could not be stored (" + e.getMessage() + "); no key was made", 5);
            }
            audit(ctx, "key.create", null, created.identity().describe().put("created_key_id", created.identity().id()));
            return created;
        }, created -> Answers.json(ctx, 201, created.identity().describe().put("key", created.key()).put("id", created.identity().id())));
    }

    private void listKeys(RoutingContext ctx) {
        Answers.json(ctx, 200, new JsonObject().put("keys", new JsonArray(new ArrayList<>(keys.get().describe()))));
    }

    /** Revokes a key at once: the next request with it is a 401. */
    private void revokeKey(RoutingContext ctx) {
        String id = ctx.pathParam("id");
        Answers.blocking(ctx, () -> {
            boolean revoked;
            try {
                revoked = keyChanges().revoke(id);
            } catch (ApiKeys.LastAdminKeyException e) {
                throw ApiProblem.conflict("last-admin-key", e.getMessage());
            } catch (java.io.IOException e) {
                throw ApiProblem.unavailable("storage-failed", "the keys could not be stored (" + e.getMessage() + "); the key was "
                        + "not revoked", 5);
            }
            if (!revoked) {
                throw ApiProblem.notFound("unknown-key", "no key has the id '" + Json.quote(id) + "'; see GET /v1/keys");
            }
            audit(ctx, "key.revoke", null, new JsonObject().put("revoked_key_id", id));
            return id;
        }, revoked -> ctx.response().setStatusCode(204).end());
    }

    // ---- models -----------------------------------------------------------------------------

    private void createModel(RoutingContext ctx) {
        JsonObject body = Bodies.object(ctx);
        body.remove("created_at"); // the service sets it
        ModelDefinition definition = DefinitionJson.read(body, clock.millis());
        Authorization.requireReach(ctx, definition.name());
        Answers.blocking(ctx, () -> {
            ModelWriter created = changes().create(definition);
            audit(ctx, "model.create", definition.name(), new JsonObject().put("model", definition.spec().model())
                    .put("seed", definition.spec().seed()).put("version_after", 0));
            return created;
        }, writer -> Answers.respond(ctx, 201,
                writer.read(Renderings::summary).thenApply(s -> s.put("definition", DefinitionJson.write(definition)))));
    }

    /** API keys made and revoked: this instance's, or the cluster's through its control topic. */
    private io.vigie.server.auth.KeyChanges keyChanges() {
        Cluster member = cluster.get();
        return member == null ? keys.get() : member.control();
    }

    /** Creation and deletion: this instance's models, or the cluster's control topic. */
    private ModelChanges changes() {
        Cluster member = cluster.get();
        return member == null ? models.get() : member.control();
    }

    /**
     * The models, each as its owner sees it: in a cluster, this instance's own models, those of
     * the other instances (asked in turn; a forwarded list is of the instance's own models only),
     * and any model that has no owner at the moment ({@code "moving"}).
     */
    private void listModels(RoutingContext ctx) {
        List<Future<JsonObject>> summaries = new ArrayList<>();
        ApiKeys.Identity caller = ctx.get(Authorization.IDENTITY);
        Cluster member = cluster.get();
        for (ModelWriter writer : models.get().all()) {
            String name = writer.definition().name();
            if (!caller.reaches(name) || member != null && !member.ownership().owns(name)) {
                continue; // a key scoped to some models sees only those; another instance answers for the models it owns
            }
            summaries.add(Future.fromCompletionStage(writer.read(Renderings::summary), ctx.vertx().getOrCreateContext()));
        }
        Future.all(summaries).compose(done -> {
            JsonArray list = new JsonArray();
            summaries.forEach(s -> list.add(member == null ? s.result() : s.result().put("owner", member.ownership().self())));
            models.get().failed().stream().filter(f -> caller.reaches(f.name())).forEach(f -> list.add(Renderings.failed(f)));
            if (member == null || ctx.request().getHeader(ClusterRouting.FORWARDED) != null) {
                return Future.succeededFuture(list);
            }
            return routing.listElsewhere(ctx, member).map(elsewhere -> {
                elsewhere.forEach(list::add);
                java.util.Set<String> listed = new java.util.HashSet<>();
                list.forEach(m -> listed.add(((JsonObject) m).getString("name")));
                member.control().names().stream().filter(name -> caller.reaches(name) && !listed.contains(name)).sorted()
                        .forEach(name -> list.add(new JsonObject().put("name", name).put("status", "moving").putNull("owner")));
                return list;
            });
        }).onComplete(done -> {
            if (done.failed()) {
                Problems.send(ctx, done.cause());
            } else {
                Answers.json(ctx, 200, new JsonObject().put("models", done.result()));
            }
        });
    }

    private void getModel(RoutingContext ctx) {
        Cluster member = cluster.get();
        Answers.respond(ctx, 200, writer(ctx).read(Renderings::model)
                .thenApply(json -> member == null ? json : json.put("owner", member.ownership().self())));
    }

    /** Deletes a model, or one that could not be opened (an operator's way out). */
    private void deleteModel(RoutingContext ctx) {
        String name = ctx.pathParam("name");
        Answers.blocking(ctx, () -> {
            Long before = changes().delete(name);
            audit(ctx, "model.delete", name, new JsonObject().put("version_before", before));
            return name;
        }, deleted -> ctx.response().setStatusCode(204).end());
    }

    // ---- drifts and versions ------------------------------------------------------------------

    private void drifts(RoutingContext ctx) {
        Answers.respond(ctx, 200, writer(ctx).read(Renderings::drifts));
    }

    private void timeline(RoutingContext ctx) {
        Answers.respond(ctx, 200, writer(ctx).read(Renderings::timeline));
    }

    private void versions(RoutingContext ctx) {
        ModelWriter writer = writer(ctx);
        Answers.respond(ctx, 200, writer.read(view -> Renderings.versions(view.definition().name(), view.version(), view.versions())));
    }

    private void snapshot(RoutingContext ctx) {
        ModelWriter writer = writer(ctx);
        Answers.respond(ctx, 201, audited(ctx, "model.snapshot", writer, writer.snapshot().thenApply(Renderings::version),
                json -> new JsonObject().put("version", json.getLong("version"))));
    }

    /** A version's snapshot file as stored (checksummed), to archive it or load it elsewhere. */
    private void snapshotFile(RoutingContext ctx) {
        ModelWriter writer = writer(ctx);
        long version = version(ctx, writer);
        Answers.blocking(ctx, () -> writer.snapshotBytes(version), bytes -> ctx.response().putHeader("Content-Type",
                "application/octet-stream").putHeader("Content-Disposition", "attachment; filename=\"" + writer.definition().name()
                + "-" + version + ".snapshot\"").end(Buffer.buffer(bytes)));
    }

    private void deleteVersion(RoutingContext ctx) {
        ModelWriter writer = writer(ctx);
        long version = version(ctx, writer);
        Answers.noContent(ctx, writer.deleteVersion(version).thenApply(deleted -> {
            audit(ctx, "model.version.delete", writer.definition().name(), new JsonObject().put("deleted_version", version));
            return deleted;
        }));
    }

    /** The path's version, which the model must have. */
    private static long version(RoutingContext ctx, ModelWriter writer) {
        String text = ctx.pathParam("version");
        Versions.Version known = null;
        try {
            known = writer.snapshotVersion(Long.parseLong(text));
        } catch (NumberFormatException e) {
            // answered below
        }
        if (known == null) {
            throw ApiProblem.notFound("unknown-version", "model '" + writer.definition().name() + "' has no version '"
                    + Json.quote(text) + "'; see GET /v1/models/" + writer.definition().name() + "/versions");
        }
        return known.version();
    }

    private void rollback(RoutingContext ctx) {
        ModelWriter writer = writer(ctx);
        JsonObject body = Bodies.object(ctx);
        Fields.only(body, "the rollback", Set.of("version"));
        long target = Json.integer(body, "version");
        Answers.respond(ctx, 200, audited(ctx, "model.rollback", writer, writer.rollback(target).thenApply(version -> new JsonObject()
                .put("name", writer.definition().name()).put("rolled_back_to", target).put("version", version)),
                json -> changed(json).put("rolled_back_to", target)));
    }

    // ---- challengers ------------------------------------------------------------------------------

    private void addChallenger(RoutingContext ctx) {
        ModelWriter writer = writer(ctx);
        ChallengerRequest request = ChallengerRequest.from(Bodies.object(ctx));
        ModelDefinition champion = writer.definition();
        Answers.blocking(ctx, () -> {
            models.get().probe(request.spec(), champion.schema(), champion.abstention()); // a bad model is a 422 before anything is logged
            return request;
        }, checked -> Answers.respond(ctx, 201, audited(ctx, "challenger.add", writer,
                writer.addChallenger(request.name(), request.spec(), request.mode(), request.share(), request.policy())
                        .thenApply(version -> request.toJson().put("version", version)),
                json -> changed(json).put("challenger", request.toJson()))));
    }

    private void removeChallenger(RoutingContext ctx) {
        ModelWriter writer = writer(ctx);
        String name = ctx.pathParam("challenger");
        Answers.noContent(ctx, audited(ctx, "challenger.remove", writer, writer.removeChallenger(name)
                        .thenApply(version -> new JsonObject().put("version", version)),
                json -> changed(json).put("challenger", name)));
    }

    private void comparison(RoutingContext ctx) {
        Answers.respond(ctx, 200, writer(ctx).read(Renderings::comparison));
    }

    private void promote(RoutingContext ctx) {
        ModelWriter writer = writer(ctx);
        JsonObject body = Bodies.object(ctx);
        Fields.only(body, "the promotion", Set.of("challenger"));
        String challenger = Json.string(body, "challenger", true);
        Answers.respond(ctx, 200, audited(ctx, "challenger.promote", writer, writer.promote(challenger).thenApply(p -> new JsonObject()
                        .put("name", writer.definition().name()).put("promoted", p.challenger())
                        .put("former_champion_version", p.formerChampion()).put("version", p.version())),
                json -> changed(json).put("challenger", challenger).put("former_champion_version",
                        json.getLong("former_champion_version"))));
    }

    // ---- audit ------------------------------------------------------------------------------------

    private void auditEntries(RoutingContext ctx) {
        long after = query(ctx, "after", 0, Long.MAX_VALUE, 0);
        int limit = (int) query(ctx, "limit", 1, 10_000, 1000);
        List<JsonObject> entries = audit.get().after(after, limit);
        Answers.json(ctx, 200, new JsonObject().put("entries", new JsonArray(new ArrayList<>(entries)))
                .put("next", entries.isEmpty() ? after : entries.get(entries.size() - 1).getLong("seq")));
    }

    private static long query(RoutingContext ctx, String name, long min, long max, long fallback) {
        String text = ctx.queryParams().get(name);
        if (text == null) {
            return fallback;
        }
        try {
            long value = Long.parseLong(text);
            if (value >= min && value <= max) {
                return value;
            }
        } catch (NumberFormatException e) {
            // answered below
        }
        throw ApiProblem.badParameter("'" + name + "' must be an integer from " + min + " to " + max + ", got '" + Json.quote(text) + "'");
    }

    /** The versions around a logged change: its record is the version after, the one before it the version before. */
    private static JsonObject changed(JsonObject answer) {
        long after = answer.getLong("version");
        return new JsonObject().put("version_before", after - 1).put("version_after", after);
    }

    /** Records a change once it is made, before it is answered (a change the audit log refuses is answered 503). */
    private CompletionStage<JsonObject> audited(RoutingContext ctx, String action, ModelWriter writer, CompletionStage<JsonObject> change,
                                                java.util.function.Function<JsonObject, JsonObject> details) {
        return change.thenApply(answer -> {
            audit(ctx, action, writer.definition().name(), details.apply(answer));
            return answer;
        });
    }

    private void audit(RoutingContext ctx, String action, String model, JsonObject details) {
        ApiKeys.Identity who = ctx.get(Authorization.IDENTITY);
        try {
            audit.get().append(who.id(), Role.ADMIN.code(), action, model, details);
        } catch (java.io.IOException e) {
            throw ApiProblem.unavailable("audit-failed", "the change was made but the audit log could not record it: "
                    + e.getMessage(), 5);
        }
    }

    // ---- helpers ----------------------------------------------------------------------------------

    private ModelWriter writer(RoutingContext ctx) {
        return models.get().get(ctx.pathParam("name"));
    }
}
