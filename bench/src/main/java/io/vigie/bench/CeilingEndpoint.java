package io.vigie.bench;

import io.vertx.core.DeploymentOptions;
import io.vertx.core.Future;
import io.vertx.core.VerticleBase;
import io.vertx.core.Vertx;
import io.vertx.core.buffer.Buffer;
import io.vertx.ext.web.Router;
import io.vertx.ext.web.handler.BodyHandler;

import java.util.HashMap;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;

/**
 * The ceiling of HTTP benchmarks: the same Vert.x server and body handling as the service, on as
 * many event loops, and a fixed answer of the size of Vigie's, with no JSON parsing, auth, model or
 * store. What the service loses against it is the cost of its own work.
 */
final class CeilingEndpoint extends VerticleBase {
    private final Map<String, Buffer> answers = new HashMap<>();
    private final AtomicInteger port;

    private CeilingEndpoint(Map<String, String> answers, AtomicInteger port) {
        answers.forEach((path, answer) -> this.answers.put(path, Buffer.buffer(answer)));
        this.port = port;
    }

    /** Answers each path with its fixed body (as large as Vigie's answer there) on {@code loops} event loops; returns the port. */
    static int deploy(Vertx vertx, Map<String, String> answers, int loops) throws Exception {
        AtomicInteger port = new AtomicInteger();
        vertx.deployVerticle(() -> new CeilingEndpoint(answers, port), new DeploymentOptions().setInstances(loops))
                .await(30, TimeUnit.SECONDS);
        return port.get();
    }

    @Override
    public Future<?> start() {
        Router router = Router.router(vertx);
        router.route().handler(BodyHandler.create(false).setBodyLimit(4L << 20));
        answers.forEach((path, answer) -> router.post(path).handler(ctx -> ctx.response()
                .putHeader("Content-Type", "application/json").end(answer)));
        // Vert.x shares a random port among the servers that listen on the same negative number;
        // the service in this Vert.x uses -1 (for port 0), so the ceiling's instances -2
        return vertx.createHttpServer().requestHandler(router).listen(-2, "127.0.0.1")
                .onSuccess(server -> port.set(server.actualPort()));
    }
}
