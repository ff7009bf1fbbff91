package io.vigie.server.http;

import io.vertx.core.Handler;
import io.vertx.core.buffer.Buffer;
import io.vertx.core.http.HttpClosedException;
import io.vertx.core.http.HttpHeaders;
import io.vertx.core.http.HttpServerRequest;
import io.vertx.ext.web.RoutingContext;
import io.vigie.server.ApiProblem;

import java.util.Locale;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicLong;

/**
 * Reads a request's body for the routes that take JSON, after the key was checked:
 * <ul>
 *   <li>only {@code application/json} (or a {@code +json} type) is read, anything else is a 415,
 *       so a form is never decoded; a body without a type is read as JSON;</li>
 *   <li>a body over the limit is a 413, before a byte is read when its length is declared;</li>
 *   <li>the bodies being received at once share a budget of bytes: past it a request gets 503 and
 *       its body is not read, so many large bodies cannot exhaust the heap;</li>
 *   <li>a body that does not arrive within the timeout is a 408.</li>
 * </ul>
 * A request answered before its body was read has its connection closed (see {@link Problems}),
 * so the rest of the body is never read either. The body is kept for {@link Bodies}.
 */
final class JsonBody implements Handler<RoutingContext> {
    /** Where the body read is kept in the routing context. */
    static final String BODY = "vigie.body";

    private final long maxBytes;
    private final Budget budget;
    private final long timeoutMillis;

    /** The bytes of request bodies the service holds at once, shared by every route. */
    static final class Budget {
        private final long capacity;
        private final AtomicLong used = new AtomicLong();

        Budget(long capacity) {
            this.capacity = capacity;
        }

        boolean tryReserve(long bytes) {
            while (true) {
                long now = used.get();
                if (now + bytes > capacity && now > 0) { // one body is always let in, whatever its size
                    return false;
                }
                if (used.compareAndSet(now, now + bytes)) {
                    return true;
                }
            }
        }

        void release(long bytes) {
            used.addAndGet(-bytes);
        }

        long used() {
            return used.get();
        }
    }

    JsonBody(long maxBytes, Budget budget, long timeoutMillis) {
        this.maxBytes = maxBytes;
        this.budget = budget;
        this.timeoutMillis = timeoutMillis;
    }

    @Override
    public void handle(RoutingContext ctx) {
        HttpServerRequest request = ctx.request();
        long declared = declaredLength(request);
        boolean chunked = request.headers().contains(HttpHeaders.TRANSFER_ENCODING);
        if (declared <= 0 && !chunked) {
            ctx.put(BODY, Buffer.buffer());
            ctx.next();
            return;
        }
        String type = request.getHeader(HttpHeaders.CONTENT_TYPE);
        if (type != null && !isJson(type)) {
            throw ApiProblem.unsupportedMediaType("this route reads JSON; send 'Content-Type: application/json' (got '"
                    + Problems.truncate(type, 80) + "')");
        }
        if (declared > maxBytes) {
            throw ApiProblem.tooLarge("the body has " + declared + " bytes; the limit is " + maxBytes + " (max_body_bytes)");
        }
        long reserved = declared > 0 ? declared : maxBytes;
        if (!budget.tryReserve(reserved)) {
            throw ApiProblem.unavailable("busy-bodies", "the service is receiving as many request bodies as it holds at once; "
                    + "retry shortly", 1);
        }
        AtomicBoolean released = new AtomicBoolean();
        Runnable release = () -> {
            if (released.compareAndSet(false, true)) {
                budget.release(reserved);
            }
        };
        ctx.addEndHandler(done -> release.run());
        if ("100-continue".equalsIgnoreCase(request.getHeader(HttpHeaders.EXPECT))) {
            ctx.response().writeContinue();
        }
        read(ctx, declared, release);
    }

    private void read(RoutingContext ctx, long declared, Runnable release) {
        HttpServerRequest request = ctx.request();
        Buffer body = Buffer.buffer((int) Math.max(0, Math.min(declared, 1 << 16)));
        AtomicBoolean over = new AtomicBoolean();
        long timer = ctx.vertx().setTimer(timeoutMillis, id -> {
            if (over.compareAndSet(false, true)) {
                ctx.fail(ApiProblem.requestTimeout("the body did not arrive within " + timeoutMillis + " ms"));
            }
        });
        request.handler(chunk -> {
            if (over.get()) {
                return;
            }
            if (body.length() + (long) chunk.length() > maxBytes) {
                over.set(true);
                ctx.vertx().cancelTimer(timer);
                ctx.fail(ApiProblem.tooLarge("the body exceeds the limit of " + maxBytes + " bytes (max_body_bytes)"));
                return;
            }
            body.appendBuffer(chunk);
        });
        request.exceptionHandler(failure -> {
            ctx.vertx().cancelTimer(timer);
            release.run();
            if (failure instanceof HttpClosedException) {
                over.set(true); // the client went away: there is no one to answer
                return;
            }
            if (over.compareAndSet(false, true) && !ctx.response().ended()) {
                ctx.fail(ApiProblem.badRequest("the body could not be read: " + failure.getMessage()));
            }
        });
        request.endHandler(end -> {
            ctx.vertx().cancelTimer(timer);
            if (over.compareAndSet(false, true)) {
                ctx.put(BODY, body);
                ctx.next();
            }
        });
        request.resume();
    }

    /** The declared Content-Length, -1 if none; a value that is not a length is a 400. */
    private static long declaredLength(HttpServerRequest request) {
        String length = request.getHeader(HttpHeaders.CONTENT_LENGTH);
        if (length == null) {
            return -1;
        }
        try {
            long value = Long.parseLong(length.trim());
            if (value >= 0) {
                return value;
            }
        } catch (NumberFormatException e) {
            // answered below
        }
        throw ApiProblem.badRequest("'Content-Length' must be a number of bytes");
    }

    private static boolean isJson(String contentType) {
        String mediaType = contentType.split(";", 2)[0].trim().toLowerCase(Locale.ROOT);
        return mediaType.equals("application/json") || mediaType.startsWith("application/") && mediaType.endsWith("+json");
    }
}
