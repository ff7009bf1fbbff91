package io.vigie.server.http;

import io.vertx.core.http.HttpHeaders;
import io.vertx.core.http.HttpServerRequest;
import io.vertx.core.json.DecodeException;
import io.vertx.core.json.JsonObject;
import io.vertx.ext.web.RoutingContext;
import io.vertx.ext.web.handler.HttpException;
import io.vigie.server.ApiProblem;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import java.util.concurrent.CompletionException;

/**
 * Writes errors as RFC 9457 {@code application/problem+json}. Client mistakes get their 4xx;
 * only a failure the service did not foresee is a 500, and it is logged. The rest of a body
 * refused before it was read (no key, a wrong type) is read and dropped, never kept; a larger one
 * than a request may carry has its connection closed.
 */
public final class Problems {
    private static final Logger LOG = LoggerFactory.getLogger(Problems.class);
    public static final String TYPE_BASE = "https://vigie.dev/problems/";
    /** A body refused unread is read and dropped up to this size; a longer one has its connection closed instead. */
    private static final long DRAIN_LIMIT = 8L << 20;
    private static final long DRAIN_MILLIS = 10_000;

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
                case 404 -> ApiProblem.notFound("no-route", "no route for " + ctx.request().method() + " "
                        + truncate(ctx.request().path(), 200));
                case 413 -> ApiProblem.tooLarge("the body exceeds the limit of this service");
                case 503 -> ApiProblem.unavailable("timeout", "the request was not answered in time; what was handed to "
                        + "the model may still complete, so retry labels and expect 409 for those already learned", 1);
                default -> ApiProblem.badRequest("the request could not be handled (status " + status + ")");
            });
            return;
        }
        send(ctx, failure);
    }

    /** The router's handler for a path that exists under other methods: 405 with {@code Allow}. */
    public static void methodNotAllowed(RoutingContext ctx, String allowed) {
        ctx.response().putHeader(HttpHeaders.ALLOW, allowed);
        send(ctx, ApiProblem.methodNotAllowed(truncate(ctx.request().method().name(), 40) + " is not allowed on "
                + truncate(ctx.request().path(), 200) + "; allowed: " + allowed));
    }

    /** Answers a failed request: an {@link ApiProblem} as itself, anything else as a 500. */
    public static void send(RoutingContext ctx, Throwable failure) {
        if (ctx.response().ended() || ctx.response().closed()) {
            return; // answered already (a timeout), or the client is gone: the late outcome has nowhere to go
        }
        while (failure instanceof CompletionException && failure.getCause() != null) {
            failure = failure.getCause();
        }
        if (failure instanceof ApiProblem problem) {
            send(ctx, problem);
        } else if (failure instanceof DecodeException) {
            send(ctx, ApiProblem.badRequest("the body is not valid JSON: " + truncate(failure.getMessage(), 200)));
        } else if (failure instanceof HttpException http && http.getStatusCode() < 500) {
            send(ctx, http.getStatusCode() == 413 ? ApiProblem.tooLarge("the body exceeds the limit of this service")
                    : ApiProblem.badRequest(truncate(http.getMessage(), 200)));
        } else {
            Throwable unforeseen = failure;
            RequestIds.logging(ctx, () -> LOG.error("unexpected failure on {} {}", ctx.request().method(),
                    truncate(ctx.request().path(), 200), unforeseen));
            JsonObject body = new JsonObject().put("type", TYPE_BASE + "internal").put("title", "Internal error")
                    .put("status", 500).put("detail", "the service failed unexpectedly; the failure is logged")
                    .put("instance", truncate(ctx.request().path(), 200));
            end(ctx, 500, body);
        }
    }

    /** A problem as RFC 9457 JSON; {@code instance} is the request's path. */
    static JsonObject body(ApiProblem problem, String path) {
        return new JsonObject()
                .put("type", TYPE_BASE + problem.type())
                .put("title", problem.title())
                .put("status", problem.status())
                .put("detail", problem.getMessage())
                .put("instance", truncate(path, 200));
    }

    private static void send(RoutingContext ctx, ApiProblem problem) {
        JsonObject body = body(problem, ctx.request().path());
        if (problem.retryAfterSeconds() > 0) {
            ctx.response().putHeader("Retry-After", Integer.toString(problem.retryAfterSeconds()));
        }
        if (problem.status() == 401) {
            ctx.response().putHeader("WWW-Authenticate", "Bearer realm=\"vigie\"");
        }
        end(ctx, problem.status(), body);
    }

    private static void end(RoutingContext ctx, int status, JsonObject body) {
        HttpServerRequest request = ctx.request();
        long unread = unreadBody(request);
        if (unread > DRAIN_LIMIT) {
            ctx.response().putHeader(HttpHeaders.CONNECTION, "close");
        }
        ctx.response().setStatusCode(status).putHeader("Content-Type", "application/problem+json").end(body.encode())
                .onComplete(done -> {
                    if (unread > DRAIN_LIMIT) {
                        request.connection().close();
                    }
                });
        if (unread > 0 && unread <= DRAIN_LIMIT) {
            drain(ctx);
        }
    }

    /**
     * The bytes of body a request still announces, when it is answered before its body was read:
     * 0 if none ({@link #DRAIN_LIMIT} + 1 for a chunked body, whose length is unknown).
     */
    private static long unreadBody(HttpServerRequest request) {
        if (request.isEnded()) {
            return 0;
        }
        if (request.headers().contains(HttpHeaders.TRANSFER_ENCODING)) {
            return DRAIN_LIMIT + 1;
        }
        try {
            return Math.max(0, Long.parseLong(request.getHeader(HttpHeaders.CONTENT_LENGTH)));
        } catch (NumberFormatException | NullPointerException e) {
            return 0;
        }
    }

    /**
     * Reads the rest of an unread body and drops it, so that the answer reaches the client: closing a
     * socket that still has input to read resets it, and the client may lose the answer. A body that
     * does not end within {@link #DRAIN_MILLIS} has its connection closed.
     */
    private static void drain(RoutingContext ctx) {
        HttpServerRequest request = ctx.request();
        long timer = ctx.vertx().setTimer(DRAIN_MILLIS, id -> request.connection().close());
        request.handler(chunk -> { }).endHandler(end -> ctx.vertx().cancelTimer(timer)).resume();
    }

    /** A client's text as echoed in an answer or a log line: at most {@code max} characters. */
    static String truncate(String text, int max) {
        if (text == null || text.length() <= max) {
            return text;
        }
        return text.substring(0, max) + "… (" + text.length() + " characters)";
    }
}
