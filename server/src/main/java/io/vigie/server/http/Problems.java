package io.vigie.server.http;

import io.vertx.core.json.DecodeException;
import io.vertx.core.json.JsonObject;
import io.vertx.ext.web.RoutingContext;
import io.vertx.ext.web.handler.HttpException;
import io.vigie.server.ApiProblem;

import java.util.concurrent.CompletionException;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Writes errors as RFC 9457 {@code application/problem+json}. Client mistakes get their 4xx;
 * only a failure the service did not foresee is a 500, and it is logged.
 */
public final class Problems {
    private static final Logger LOG = LoggerFactory.getLogger(Problems.class);
    public static final String TYPE_BASE = "https://vigie.dev/problems/";

    private Problems() {
    }

    /** The router's failure handler. */
    public static void handle(RoutingContext ctx) {
        if (ctx.response().headWritten()) {
            return;
        }
        Throwable failure = ctx.failure();
        if (failure == null) {
            int status = ctx.statusCode();
            send(ctx, switch (status) {
                case 404 -> ApiProblem.notFound("no-route", "no route for " + ctx.request().method() + " " + ctx.request().path());
                case 405 -> ApiProblem.badRequest("method " + ctx.request().method() + " is not allowed on " + ctx.request().path());
                case 413 -> ApiProblem.tooLarge("the body exceeds the limit of this service");
                case 503 -> ApiProblem.unavailable("timeout", "the request was not answered in time; what was handed to "
                        + "the model may still complete, so retry labels and expect 409 for those already learned", 1);
                default -> ApiProblem.badRequest("the request could not be handled (status " + status + ")");
            }, status == 405 ? 405 : status == 503 ? 503 : -1);
            return;
        }
        send(ctx, failure);
    }

    /** Answers a failed request: an {@link ApiProblem} as itself, anything else as a 500. */
    public static void send(RoutingContext ctx, Throwable failure) {
        if (ctx.response().ended()) {
            return; // answered already (a timeout), the late outcome has nowhere to go
        }
        while (failure instanceof CompletionException && failure.getCause() != null) {
            failure = failure.getCause();
        }
        if (failure instanceof ApiProblem problem) {
            send(ctx, problem, -1);
        } else if (failure instanceof DecodeException) {
            send(ctx, ApiProblem.badRequest("the body is not valid JSON: " + failure.getMessage()), -1);
        } else if (failure instanceof HttpException http && http.getStatusCode() < 500) {
            send(ctx, http.getStatusCode() == 413 ? ApiProblem.tooLarge("the body exceeds the limit of this service")
                    : ApiProblem.badRequest(http.getMessage()), http.getStatusCode());
        } else {
            LOG.error("unexpected failure on {} {}", ctx.request().method(), ctx.request().path(), failure);
            JsonObject body = new JsonObject().put("type", TYPE_BASE + "internal").put("title", "Internal error")
                    .put("status", 500).put("detail", "the service failed unexpectedly; the failure is logged")
                    .put("instance", ctx.request().path());
            ctx.response().setStatusCode(500).putHeader("Content-Type", "application/problem+json").end(body.encode());
        }
    }

    private static void send(RoutingContext ctx, ApiProblem problem, int statusOverride) {
        int status = statusOverride > 0 ? statusOverride : problem.status();
        JsonObject body = new JsonObject()
                .put("type", TYPE_BASE + problem.type())
                .put("title", problem.title())
                .put("status", status)
                .put("detail", problem.getMessage())
                .put("instance", ctx.request().path());
        if (problem.retryAfterSeconds() > 0) {
            ctx.response().putHeader("Retry-After", Integer.toString(problem.retryAfterSeconds()));
        }
        ctx.response().setStatusCode(status).putHeader("Content-Type", "application/problem+json").end(body.encode());
    }
}
