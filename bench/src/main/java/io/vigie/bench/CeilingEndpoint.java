package io.vigie.bench;

import io.vertx.core.Future;
import io.vertx.core.VerticleBase;
import io.vertx.core.buffer.Buffer;
import io.vertx.core.http.HttpServer;
import io.vertx.ext.web.Router;
import io.vertx.ext.web.handler.BodyHandler;

import java.util.HashMap;
import java.util.Map;

/**
 * The ceiling of HTTP benchmarks: the same Vert.x server and body handling as the service, and a
 * fixed answer of the size of Vigie's, with no JSON parsing, auth, model or store. What the
 * service loses against it is the cost of its own work.
 */
final class CeilingEndpoint extends VerticleBase {
    private final Map<String, Buffer> answers = new HashMap<>();
    private HttpServer server;

    /** Answers each path with its fixed body: as large as Vigie's answer there. */
    CeilingEndpoint(Map<String, String> answers) {
        answers.forEach((path, answer) -> this.answers.put(path, Buffer.buffer(answer)));
    }

    @Override
    public Future<?> start() {
        Router router = Router.router(vertx);
        router.route().handler(BodyHandler.create(false).setBodyLimit(4L << 20));
        answers.forEach((path, answer) -> router.post(path).handler(ctx -> ctx.response()
                .putHeader("Content-Type", "application/json").end(answer)));
        return vertx.createHttpServer().requestHandler(router).listen(0, "127.0.0.1").onSuccess(s -> server = s);
    }

    int port() {
        return server.actualPort();
    }
}
