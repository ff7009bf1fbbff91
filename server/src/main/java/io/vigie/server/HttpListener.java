package io.vigie.server;

import io.vertx.core.Future;
import io.vertx.core.VerticleBase;
import io.vertx.core.http.HttpServer;

import java.util.concurrent.TimeUnit;
import java.util.function.Supplier;

/**
 * One more HTTP server on the service's port, on an event loop of its own. Vert.x deals the
 * connections a port accepts among the servers listening on it, so with several listeners the
 * HTTP work of parsing, authorising and answering (three times a trivial endpoint's, and all of it
 * on one thread otherwise) spreads over cores ({@link VigieServer#defaultEventLoops}: half of them,
 * the rest left to the models' writer threads). Every handler behind the router is safe to
 * call from several event loops: the state they share is concurrent or synchronised, and each
 * model's work goes to its own writer thread whichever loop hands it over.
 */
final class HttpListener extends VerticleBase {
    private final Supplier<Future<HttpServer>> listen;
    private HttpServer server;

    /** {@code listen} creates the server on the calling event loop and listens on the service's port. */
    HttpListener(Supplier<Future<HttpServer>> listen) {
        this.listen = listen;
    }

    @Override
    public Future<?> start() {
        return listen.get().onSuccess(listening -> server = listening);
    }

    /** As the main server: requests in progress are answered (the models are still open: listeners stop first). */
    @Override
    public Future<?> stop() {
        return server == null ? Future.succeededFuture() : server.shutdown(30, TimeUnit.SECONDS);
    }
}
