package io.vigie.server.http;

import io.vertx.core.Handler;
import io.vertx.core.Vertx;
import io.vertx.core.http.HttpConnection;
import io.vertx.ext.web.RoutingContext;

import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicLong;

/**
 * Bounds what connections can hold. At most {@code max} are open at once: one more is closed as
 * soon as it is accepted, so clients that open connections and never finish a request cannot take
 * every file descriptor. A request head must arrive within {@code headTimeoutMillis} of the
 * connection opening or of the previous response: a connection that sends nothing, or a request
 * line a byte at a time, is closed then. Bodies have their own timeout ({@link JsonBody}).
 */
public final class ConnectionGuard {
    private final Vertx vertx;
    private final int max;
    private final long headTimeoutMillis;
    private final AtomicInteger open = new AtomicInteger();
    private final AtomicLong refused = new AtomicLong();
    private final AtomicLong timedOut = new AtomicLong();
    /** Each open connection's timer for its next request head, or none while a request is in progress. */
    private final Map<HttpConnection, Long> waitingForHead = new ConcurrentHashMap<>();

    public ConnectionGuard(Vertx vertx, int max, long headTimeoutMillis) {
        this.vertx = vertx;
        this.max = max;
        this.headTimeoutMillis = headTimeoutMillis;
    }

    /** For {@code HttpServer.connectionHandler}: counts the connection, refuses it past the maximum, starts its head timer. */
    public Handler<HttpConnection> connections() {
        return connection -> {
            if (open.incrementAndGet() > max) {
                open.decrementAndGet();
                refused.incrementAndGet();
                connection.close();
                return;
            }
            connection.closeHandler(closed -> {
                open.decrementAndGet();
                Long timer = waitingForHead.remove(connection);
                if (timer != null) {
                    vertx.cancelTimer(timer);
                }
            });
            awaitHead(connection);
        };
    }

    /** The first route: a request head arrived, so its timer stops; when it is answered the next one's starts. */
    public Handler<RoutingContext> requests() {
        return ctx -> {
            HttpConnection connection = ctx.request().connection();
            Long timer = waitingForHead.remove(connection);
            if (timer != null) {
                vertx.cancelTimer(timer);
            }
            ctx.addEndHandler(done -> {
                if (done.succeeded()) {
                    awaitHead(connection);
                }
            });
            ctx.next();
        };
    }

    private void awaitHead(HttpConnection connection) {
        long timer = vertx.setTimer(headTimeoutMillis, id -> {
            if (waitingForHead.remove(connection, id)) {
                timedOut.incrementAndGet();
                connection.close();
            }
        });
        Long previous = waitingForHead.put(connection, timer);
        if (previous != null) {
            vertx.cancelTimer(previous);
        }
    }

    /** Connections open now. */
    public int open() {
        return open.get();
    }

    /** Connections closed as soon as accepted, because {@code max} were open. */
    public long refused() {
        return refused.get();
    }

    /** Connections closed because no request head came in time. */
    public long timedOut() {
        return timedOut.get();
    }
}
