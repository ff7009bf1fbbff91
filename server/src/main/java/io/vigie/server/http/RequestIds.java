package io.vigie.server.http;

import io.vertx.core.Handler;
import io.vertx.ext.web.RoutingContext;
import org.slf4j.MDC;

import java.util.concurrent.ThreadLocalRandom;
import java.util.regex.Pattern;

/**
 * Names each request: the caller's {@code X-Request-Id} when it is a plain token (else one made
 * here), echoed in the answer, and the W3C {@code traceparent}'s trace id when the caller sent a
 * valid one. Log lines about a request carry both ({@link #logging}), so that a line in the
 * service's log can be matched with the caller's.
 */
final class RequestIds {
    static final String HEADER = "X-Request-Id";
    static final String REQUEST_ID = "request_id";
    static final String TRACE_ID = "trace_id";
    /** What a request id taken from a caller may look like: a token that cannot break a log line. */
    private static final Pattern TOKEN = Pattern.compile("[A-Za-z0-9._:-]{1,128}");
    /** version 00, a 32-hex trace id, a 16-hex parent id, 2-hex flags; an all-zero id is invalid. */
    private static final Pattern TRACEPARENT = Pattern.compile("00-([0-9a-f]{32})-([0-9a-f]{16})-[0-9a-f]{2}");

    private RequestIds() {
    }

    static Handler<RoutingContext> handler() {
        return ctx -> {
            String given = ctx.request().getHeader(HEADER);
            String id = given != null && TOKEN.matcher(given).matches() ? given : newId();
            ctx.put(REQUEST_ID, id);
            ctx.response().putHeader(HEADER, id);
            String traceparent = ctx.request().getHeader("traceparent");
            if (traceparent != null) {
                java.util.regex.Matcher m = TRACEPARENT.matcher(traceparent.trim());
                if (m.matches() && !m.group(1).chars().allMatch(c -> c == '0') && !m.group(2).chars().allMatch(c -> c == '0')) {
                    ctx.put(TRACE_ID, m.group(1));
                }
            }
            ctx.next();
        };
    }

    /** Runs {@code log} with the request's ids in the logging context (the event loop serves many requests: set, then cleared). */
    static void logging(RoutingContext ctx, Runnable log) {
        String id = ctx.get(REQUEST_ID);
        String trace = ctx.get(TRACE_ID);
        if (id != null) {
            MDC.put(REQUEST_ID, id);
        }
        if (trace != null) {
            MDC.put(TRACE_ID, trace);
        }
        try {
            log.run();
        } finally {
            MDC.remove(REQUEST_ID);
            MDC.remove(TRACE_ID);
        }
    }

    private static String newId() {
        ThreadLocalRandom random = ThreadLocalRandom.current();
        return Long.toHexString(random.nextLong() | Long.MIN_VALUE) + Long.toHexString(random.nextLong() | Long.MIN_VALUE);
    }
}
