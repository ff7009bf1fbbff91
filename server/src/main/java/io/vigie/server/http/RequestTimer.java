package io.vigie.server.http;

import io.micrometer.core.instrument.MeterRegistry;
import io.micrometer.core.instrument.Timer;
import io.vertx.core.Handler;
import io.vertx.ext.web.RoutingContext;

import java.time.Duration;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.TimeUnit;

/**
 * Times every request by method, route template and status, for {@code /metrics}. Every tag
 * takes few values, whatever clients send: a method outside HTTP's own is counted as
 * {@code OTHER} and a path no route knows as {@code other}, so invented methods and paths cannot
 * grow the registry.
 */
public final class RequestTimer implements Handler<RoutingContext> {
    private static final Set<String> METHODS = Set.of("GET", "HEAD", "POST", "PUT", "DELETE", "PATCH", "OPTIONS", "TRACE", "CONNECT");

    /**
     * Histogram buckets at the latencies that matter: a scoring inside a payment's authorisation
     * budget (5 to 50 ms), a label batch (up to a second), a timeout (30 s). Nine, not Micrometer's
     * seventy-odd percentile buckets per route and status.
     */
    static final Duration[] BUCKETS = java.util.stream.Stream.of(1, 5, 10, 25, 50, 100, 250, 1000, 5000)
            .map(Duration::ofMillis).toArray(Duration[]::new);

    private final MeterRegistry registry;
    private final Map<String, Timer> timers = new ConcurrentHashMap<>();

    public RequestTimer(MeterRegistry registry) {
        this.registry = registry;
    }

    @Override
    public void handle(RoutingContext ctx) {
        long started = System.nanoTime();
        ctx.addEndHandler(v -> {
            String route = ctx.currentRoute() == null || ctx.currentRoute().getPath() == null ? "other" : ctx.currentRoute().getPath();
            String method = METHODS.contains(ctx.request().method().name()) ? ctx.request().method().name() : "OTHER";
            int status = ctx.response().getStatusCode();
            // one map lookup per request rather than building and sorting the meter's tags each time
            timers.computeIfAbsent(method + ' ' + route + ' ' + status, key -> Timer.builder("vigie.http.requests")
                    .description("HTTP requests by route and status").tag("method", method).tag("route", route)
                    .tag("status", Integer.toString(status))
                    .serviceLevelObjectives(BUCKETS).register(registry)).record(System.nanoTime() - started, TimeUnit.NANOSECONDS);
        });
        ctx.next();
    }
}
