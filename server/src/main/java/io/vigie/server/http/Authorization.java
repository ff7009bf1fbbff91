package io.vigie.server.http;

import io.vertx.core.Handler;
import io.vertx.ext.web.RoutingContext;
import io.vigie.server.ApiProblem;
import io.vigie.server.auth.ApiKeys;
import io.vigie.server.auth.Role;

import java.util.function.BooleanSupplier;
import java.util.function.Supplier;

/** The handler in front of every {@code /v1} route: the caller's API key must hold the route's role. */
final class Authorization {
    /** Where a route's handlers find who called: the key's identity, for the audit log. */
    static final String IDENTITY = "identity";

    private Authorization() {
    }

    /** Lets a request through if its key has the role; 503 until {@code ready}, 401 without a valid key, 403 without the role. */
    static Handler<RoutingContext> require(Supplier<ApiKeys> keys, BooleanSupplier ready, Role role) {
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
            if (!identity.may(role)) {
                throw ApiProblem.forbidden("this route needs the '" + role.code() + "' role; the key has "
                        + identity.roles().stream().map(Role::code).sorted().toList());
            }
            ctx.put(IDENTITY, identity);
            ctx.next();
        };
    }
}
