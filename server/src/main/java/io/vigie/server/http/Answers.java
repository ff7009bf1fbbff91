package io.vigie.server.http;

import io.vertx.core.Future;
import io.vertx.core.Handler;
import io.vertx.core.json.JsonObject;
import io.vertx.ext.web.RoutingContext;
import io.vigie.server.wire.JsonText;

import java.util.concurrent.Callable;
import java.util.concurrent.CompletionStage;

/** How the routes answer: a JSON body once work handed elsewhere completes, or its problem. */
final class Answers {
    private Answers() {
    }

    /** Runs blocking work (files, RocksDB) on a worker thread, then {@code then} on the event loop. */
    static <T> void blocking(RoutingContext ctx, Callable<T> work, Handler<T> then) {
        ctx.vertx().executeBlocking(work, false).onComplete(done -> {
            if (done.failed()) {
                Problems.send(ctx, done.cause());
            } else {
                try {
                    then.handle(done.result());
                } catch (RuntimeException e) {
                    Problems.send(ctx, e);
                }
            }
        });
    }

    /** Answers {@code status} with the body the stage completes with, or its problem. */
    static void respond(RoutingContext ctx, int status, CompletionStage<JsonObject> result) {
        Future.fromCompletionStage(result, ctx.vertx().getOrCreateContext()).onComplete(done -> {
            if (done.failed()) {
                Problems.send(ctx, done.cause());
            } else {
                json(ctx, status, done.result());
            }
        });
    }

    /** Answers 204 once the stage completes, or its problem. */
    static void noContent(RoutingContext ctx, CompletionStage<?> result) {
        Future.fromCompletionStage(result, ctx.vertx().getOrCreateContext()).onComplete(done -> {
            if (done.failed()) {
                Problems.send(ctx, done.cause());
            } else if (!ctx.response().ended()) {
                ctx.response().setStatusCode(204).end();
            }
        });
    }

    /** Answers a label or event batch: 202 if any item was learned, else the items' own status ({@link Batch#status}). */
    static void respondBatch(RoutingContext ctx, CompletionStage<JsonObject> result) {
        Future.fromCompletionStage(result, ctx.vertx().getOrCreateContext()).onComplete(done -> {
            if (done.failed()) {
                Problems.send(ctx, done.cause());
            } else {
                json(ctx, Batch.status(done.result()), done.result());
            }
        });
    }

    static void json(RoutingContext ctx, int status, JsonObject body) {
        if (ctx.response().ended()) {
            return; // the request timed out and was answered 503
        }
        ctx.response().setStatusCode(status).putHeader("Content-Type", "application/json").end(JsonText.encode(body));
    }
}
