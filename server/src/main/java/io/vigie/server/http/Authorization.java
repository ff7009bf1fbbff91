package io.vigie.server.http;

import io.vertx.core.Handler;
import io.vertx.ext.web.RoutingContext;
import io.vigie.server.ApiProblem;
import io.vigie.server.auth.ApiKeys;
import io.vigie.server.auth.Role;
import io.vigie.server.wire.Json;

import java.util.function.BooleanSupplier;
import java.util.function.Supplier;

/**
 * Who may call a {@code /v1} route, in two steps. {@link #authenticate} runs first, before a byte
 * of the body is read, so that a caller without a key costs a header lookup and no memory;
 * {@link #require} runs on each route and checks the key's role.
 */
final class Authorization {
    /** Where handlers find who called: the key's identity, for the audit log. */
    static final String IDENTITY = "identity";

    private Authorization() {
    }

    /** 503 until {@code ready}, 401 without a valid key; else the identity is kept for the route. */
    static Handler<RoutingContext> authenticate(Supplier<ApiKeys> keys, BooleanSupplier ready) {
        return ctx -> {
            ApiKeys apiKeys = keys.get();
            if (apiKeys == null || !ready.getAsBoolean()) {
                throw ApiProblem.unavailable("recovering", "the service is recovering its models; see /health/ready", 1);
            }
            String header = ctx.request().getHeader("Authorization");
            if (header == null || !header.regionMatches(true, 0, "Bearer ", 0, 7)) {
                throw ApiProblem.unauthorized("send 'Authorization: Bearer <key>'");
            }
            ApiKeys.Identity identity = apiKeys.authenticate(header.substring(7).trim());
            if (identity == null) {
                throw ApiProblem.unauthorized("the API key is not valid");
            }
            if (apiKeys.expired(identity)) {
                throw ApiProblem.unauthorized("the API key '" + identity.id() + "' expired at "
                        + java.time.Instant.ofEpochMilli(identity.expiresAt()));
            }
            ctx.put(IDENTITY, identity);
            ctx.next();
        };
    }

    /** 403 unless the caller's key holds the role and, on a model's routes, reaches that model. */
    static Handler<RoutingContext> require(Role role) {
        return ctx -> {
            ApiKeys.Identity identity = ctx.get(IDENTITY);
            if (identity == null) {
                throw new IllegalStateException("the route for " + ctx.request().path() + " was mounted without authentication");
            }
            if (!identity.may(role)) {
                throw ApiProblem.forbidden("this route needs the '" + role.code() + "' role; the key has "
                        + identity.roles().stream().map(Role::code).sorted().toList());
            }
            String model = ctx.pathParam("name");
            if (model != null) {
                requireReach(ctx, model);
            }
            ctx.next();
        };
    }

    /** 403 unless the caller's key reaches {@code model} (a key scoped to some models reaches only those). */
    static void requireReach(RoutingContext ctx, String model) {
        ApiKeys.Identity identity = ctx.get(IDENTITY);
        if (!identity.reaches(model)) {
            throw ApiProblem.forbidden("the key is scoped to the models " + identity.models().stream().sorted().toList()
                    + ", not '" + Json.quote(model) + "'");
        }
    }

    /** 403 for a key scoped to some models: keys and the audit log are every model's business. */
    static Handler<RoutingContext> everyModel() {
        return ctx -> {
            ApiKeys.Identity identity = ctx.get(IDENTITY);
            if (identity.scoped()) {
                throw ApiProblem.forbidden("this route needs a key for every model; the key is scoped to "
                        + identity.models().stream().sorted().toList());
            }
            ctx.next();
        };
    }
}
