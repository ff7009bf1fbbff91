package io.vigie.server.http;

import io.vertx.core.Handler;
import io.vertx.ext.web.RoutingContext;
import io.vigie.server.auth.ApiKeys;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import org.slf4j.MDC;

/**
 * One line per request once it is answered (off by default: {@code access_log}): method, path,
 * status, bytes sent, milliseconds, the key's id (never the key), with the request's ids. In the
 * JSON format each of these is also a field of the line.
 */
final class AccessLog {
    private static final Logger LOG = LoggerFactory.getLogger("io.vigie.access");
    private static final String[] FIELDS = {"method", "path", "status", "bytes", "millis", "key_id"};

    private AccessLog() {
    }

    static Handler<RoutingContext> handler() {
        return ctx -> {
            long started = System.nanoTime();
            ctx.addEndHandler(done -> RequestIds.logging(ctx, () -> {
                ApiKeys.Identity who = ctx.get(Authorization.IDENTITY);
                String[] values = {ctx.request().method().name(), Problems.truncate(ctx.request().path(), 200),
                        String.valueOf(ctx.response().getStatusCode()), String.valueOf(ctx.response().bytesWritten()),
                        String.format(java.util.Locale.ROOT, "%.1f", (System.nanoTime() - started) / 1e6), who == null ? "-" : who.id()};
                for (int i = 0; i < FIELDS.length; i++) {
                    MDC.put(FIELDS[i], values[i]);
                }
                try {
                    LOG.info("{} {} {} {} B {} ms key {}", (Object[]) values);
                } finally {
                    for (String field : FIELDS) {
                        MDC.remove(field);
                    }
                }
            }));
            ctx.next();
        };
    }
}
