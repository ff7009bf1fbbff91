package io.vigie.server.http;

import com.sun.management.UnixOperatingSystemMXBean;
import io.micrometer.core.instrument.FunctionCounter;
import io.micrometer.core.instrument.Gauge;
import io.micrometer.core.instrument.MeterRegistry;
import io.vertx.core.Vertx;
import io.vertx.core.http.HttpHeaders;
import io.vertx.core.http.HttpServer;
import io.vertx.core.http.HttpServerOptions;
import io.vertx.core.http.HttpServerRequest;
import io.vertx.core.json.JsonObject;
import io.vertx.ext.web.Router;
import io.vertx.ext.web.handler.TimeoutHandler;
import io.vigie.server.ApiProblem;
import io.vigie.server.auth.ApiKeys;

import java.lang.management.ManagementFactory;
import java.util.concurrent.TimeUnit;
import java.util.function.BooleanSupplier;
import java.util.function.Supplier;

/**
 * What every request meets before its route, and what the server refuses outright: bounded
 * connections and a deadline for each request head ({@link ConnectionGuard}); the API key checked
 * before any body is read ({@link Authorization}); a deadline for the whole request; bodies read
 * only as JSON, bounded one by one and all together ({@link JsonBody}); and answers for what no
 * route takes, 404, or 405 with {@code Allow}.
 */
public final class FrontDoor {
    /**
     * @param maxConnections    connections open at once (default: 4,096, or half the process's file
     *                          descriptors if that is less)
     * @param headTimeoutMillis a request head must arrive within this of the connection or the previous answer
     * @param bodyTimeoutMillis a body must arrive within this of its head
     * @param requestTimeoutMillis an answer is due within this, else 503
     * @param maxBodyBytes      one body at most
     * @param bodyBytesInFlight all bodies being received at once (default: an eighth of the heap)
     */
    public record Settings(int maxConnections, long headTimeoutMillis, long bodyTimeoutMillis, long requestTimeoutMillis,
                           long maxBodyBytes, long bodyBytesInFlight, boolean accessLog) {
        public static Settings from(JsonObject config) {
            return new Settings(config.getInteger("max_connections", defaultMaxConnections()),
                    config.getLong("header_timeout_ms", 10_000L), config.getLong("body_timeout_ms", 30_000L),
                    config.getLong("request_timeout_ms", 30_000L), config.getLong("max_body_bytes", 4L << 20),
                    config.getLong("body_bytes_in_flight", Math.max(64L << 20, Runtime.getRuntime().maxMemory() / 8)),
                    config.getBoolean("access_log", false));
        }

        private static int defaultMaxConnections() {
            if (ManagementFactory.getOperatingSystemMXBean() instanceof UnixOperatingSystemMXBean unix) {
                return (int) Math.max(64, Math.min(4096, unix.getMaxFileDescriptorCount() / 2));
            }
            return 4096;
        }
    }

    private final Settings settings;
    private final ConnectionGuard connections;
    private final JsonBody.Budget bodies;

    public FrontDoor(Vertx vertx, Settings settings, MeterRegistry registry) {
        this.settings = settings;
        this.connections = new ConnectionGuard(vertx, settings.maxConnections(), settings.headTimeoutMillis());
        this.bodies = new JsonBody.Budget(settings.bodyBytesInFlight());
        Gauge.builder("vigie.http.connections", connections, ConnectionGuard::open).description("HTTP connections open")
                .register(registry);
        FunctionCounter.builder("vigie.http.connections.refused", connections, ConnectionGuard::refused)
                .description("HTTP connections closed on arrival because max_connections were open").register(registry);
        FunctionCounter.builder("vigie.http.connections.timed.out", connections, ConnectionGuard::timedOut)
                .description("HTTP connections closed because no request head came within header_timeout_ms").register(registry);
        Gauge.builder("vigie.http.body.bytes.in.flight", bodies, JsonBody.Budget::used)
                .description("Bytes of request bodies being received or held").register(registry);
    }

    /** The server's options: HTTP/1.1 only (no h2c upgrade, whose settings would let a client stall a connection). */
    public HttpServerOptions options() {
        return new HttpServerOptions().setHttp2ClearTextEnabled(false).setMaxInitialLineLength(8192).setMaxHeaderSize(16384)
                .setIdleTimeout(120).setIdleTimeoutUnit(TimeUnit.SECONDS);
    }

    /**
     * Counts and times out the server's connections, and hands the router only requests it can
     * route: HTTP/1.1 requires a {@code Host} header that names a host, without which the router
     * would fail (400).
     */
    public HttpServer serve(HttpServer server, Router router) {
        return server.connectionHandler(connections.connections()).requestHandler(request -> {
            if (!hasHost(request)) {
                request.response().setStatusCode(400).putHeader(HttpHeaders.CONTENT_TYPE, "application/problem+json")
                        .putHeader(HttpHeaders.CONNECTION, "close")
                        .end(Problems.body(ApiProblem.badRequest("HTTP/1.1 requires a 'Host' header naming a host"),
                                request.path()).encode())
                        .onComplete(sent -> request.connection().close());
                return;
            }
            router.handle(request);
        });
    }

    private static boolean hasHost(HttpServerRequest request) {
        try {
            return request.authority() != null;
        } catch (RuntimeException unparsable) {
            return false;
        }
    }

    /** The first route of all: the request head arrived. */
    public void first(Router router) {
        router.route().handler(connections.requests());
        router.route().handler(RequestIds.handler());
        if (settings.accessLog()) {
            router.route().handler(AccessLog.handler());
        }
    }

    /**
     * Before the {@code /v1} routes: the key, then the deadline, then the body of a POST.
     * {@code ready} is false while the service recovers (503).
     */
    public void beforeApi(Router router, Supplier<ApiKeys> keys, BooleanSupplier ready) {
        router.route("/v1/*").handler(Authorization.authenticate(keys, ready));
        // A request the service cannot answer in time gets a 503 rather than holding its client; work already
        // handed to a model still completes (a label logged late is learned, and its resend is a 409).
        router.route("/v1/*").handler(TimeoutHandler.create(settings.requestTimeoutMillis(), 503));
        router.post("/v1/*").handler(new JsonBody(settings.maxBodyBytes(), bodies, settings.bodyTimeoutMillis()));
    }

    /** After every route: problems for failures, 404 for an unknown path, 405 with {@code Allow} for a known one. */
    public void last(Router router) {
        RouteTable routes = RouteTable.of(router);
        router.route().failureHandler(Problems::handle);
        router.errorHandler(404, Problems::handle);
        router.errorHandler(405, ctx -> Problems.methodNotAllowed(ctx, routes.allowed(ctx.request().path())));
    }

    /** The limits of one request, for the routes. */
    public long maxBodyBytes() {
        return settings.maxBodyBytes();
    }
}
