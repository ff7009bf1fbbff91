package io.vigie.server;

/**
 * A request the service refuses, with the HTTP status and an RFC 9457 problem type. Thrown
 * anywhere below the routes; the router turns it into {@code application/problem+json}.
 *
 * <p>A detail never shows where the service keeps its files: the data dir's absolute path, which
 * storage errors quote, is written {@code <data-dir>} (see {@link #hideDataDir}).
 */
public final class ApiProblem extends RuntimeException {
    private static final java.util.Set<String> DATA_DIRS = new java.util.concurrent.CopyOnWriteArraySet<>();

    private final int status;
    private final String type;
    private final String title;
    private final int retryAfterSeconds;

    private ApiProblem(int status, String type, String title, String detail, int retryAfterSeconds) {
        super(redact(detail), null, false, false);
        this.status = status;
        this.type = type;
        this.title = title;
        this.retryAfterSeconds = retryAfterSeconds;
    }

    /** A caller's text as a detail quotes it: at most 60 characters, never a huge value echoed back. */
    public static String quote(String text) {
        return text == null || text.length() <= 60 ? text : text.substring(0, 60) + "… (" + text.length() + " characters)";
    }

    /** From now on, details write this data dir as {@code <data-dir>}. */
    public static void hideDataDir(java.nio.file.Path dataDir) {
        DATA_DIRS.add(dataDir.toAbsolutePath().normalize().toString());
        DATA_DIRS.add(dataDir.toString());
    }

    /** The text with every registered data dir written {@code <data-dir>}. */
    public static String redact(String detail) {
        if (detail == null) {
            return null;
        }
        for (String dir : DATA_DIRS) {
            if (!dir.isEmpty() && detail.contains(dir)) {
                detail = detail.replace(dir, "<data-dir>");
            }
        }
        return detail;
    }

    public static ApiProblem badRequest(String detail) {
        return new ApiProblem(400, "bad-request", "The request is not valid JSON of the expected shape", detail, 0);
    }

    /** A query parameter that does not read ({@code ?limit=none}): the body, if any, was not the problem. */
    public static ApiProblem badParameter(String detail) {
        return new ApiProblem(400, "bad-parameter", "A query parameter is not valid", detail, 0);
    }

    public static ApiProblem invalid(String detail) {
        return new ApiProblem(422, "invalid", "The request is well-formed but its content is invalid", detail, 0);
    }

    public static ApiProblem notFound(String type, String detail) {
        return new ApiProblem(404, type, "Not found", detail, 0);
    }

    public static ApiProblem conflict(String type, String detail) {
        return new ApiProblem(409, type, "Conflict", detail, 0);
    }

    public static ApiProblem gone(String type, String detail) {
        return new ApiProblem(410, type, "Gone", detail, 0);
    }

    public static ApiProblem tooLarge(String detail) {
        return new ApiProblem(413, "too-large", "The request is too large", detail, 0);
    }

    /** A body in a media type the route does not take (only JSON is read: forms are never decoded). */
    public static ApiProblem unsupportedMediaType(String detail) {
        return new ApiProblem(415, "unsupported-media-type", "The body is not JSON", detail, 0);
    }

    /** A method the path does not answer; the router sets {@code Allow}. */
    public static ApiProblem methodNotAllowed(String detail) {
        return new ApiProblem(405, "method-not-allowed", "Method not allowed", detail, 0);
    }

    /** A request whose body did not arrive in time. */
    public static ApiProblem requestTimeout(String detail) {
        return new ApiProblem(408, "request-timeout", "The request was not received in time", detail, 0);
    }

    public static ApiProblem unauthorized(String detail) {
        return new ApiProblem(401, "unauthorized", "Missing or invalid API key", detail, 0);
    }

    public static ApiProblem forbidden(String detail) {
        return new ApiProblem(403, "forbidden", "The API key lacks the role this route needs", detail, 0);
    }

    /** The service cannot take the request now; the client should retry after a pause. */
    public static ApiProblem unavailable(String type, String detail, int retryAfterSeconds) {
        return new ApiProblem(503, type, "Service unavailable", detail, retryAfterSeconds);
    }

    /** A quota of stored data is reached: the client must wait for data to go (labels, expiry) or an operator to raise it. */
    public static ApiProblem insufficientStorage(String type, String detail) {
        return new ApiProblem(507, type, "Insufficient storage", detail, 60);
    }

    public static ApiProblem busy(String detail) {
        return new ApiProblem(429, "busy", "Too many requests", detail, 1);
    }

    public int status() {
        return status;
    }

    /** The problem type's slug; the full type URI is {@code https://vigie.dev/problems/<slug>}. */
    public String type() {
        return type;
    }

    public String title() {
        return title;
    }

    /** Seconds for a Retry-After header, or 0 for none. */
    public int retryAfterSeconds() {
        return retryAfterSeconds;
    }
}
