package io.vigie.server;

import io.vertx.core.Future;
import io.vertx.core.VerticleBase;
import io.vertx.core.http.HttpServer;
import io.vertx.core.json.JsonObject;
import io.vertx.ext.web.Router;
import io.vertx.ext.web.RoutingContext;

/**
 * The HTTP verticle. It only routes: each route maps to a short {@code handleXxx} method, and
 * model work will run on each model's own writer thread, never on the event loop.
 *
 * <p>Configuration (JSON): {@code port} (0 picks a free one), {@code host} (default 127.0.0.1).
 */
public final class VigieServer extends VerticleBase {
    private volatile boolean ready;
    private HttpServer server;

    @Override
    public Future<?> start() {
        Router router = Router.router(vertx);
        router.get("/health/live").handler(this::handleLive);
        router.get("/health/ready").handler(this::handleReady);
        JsonObject config = config();
        return vertx.createHttpServer()
                .requestHandler(router)
                .listen(config.getInteger("port", 8080), config.getString("host", "127.0.0.1"))
                .onSuccess(listening -> {
                    server = listening;
                    ready = true; // nothing to recover yet: ready as soon as the port is open
                });
    }

    @Override
    public Future<?> stop() {
        ready = false;
        return server == null ? Future.succeededFuture() : server.close();
    }

    /** The port the server listens on (useful when configured with port 0). */
    public int port() {
        return server.actualPort();
    }

    private void handleLive(RoutingContext ctx) {
        ctx.json(new JsonObject().put("status", "UP"));
    }

    private void handleReady(RoutingContext ctx) {
        if (ready) {
            ctx.json(new JsonObject().put("status", "READY"));
        } else {
            ctx.response().setStatusCode(503).putHeader("Retry-After", "1");
            ctx.json(new JsonObject().put("status", "STARTING"));
        }
    }
}
