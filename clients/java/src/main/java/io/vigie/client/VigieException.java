package io.vigie.client;

import com.fasterxml.jackson.databind.JsonNode;

/**
 * An answer other than the operation's success: the HTTP status and what the service said, an
 * RFC 9457 problem ({@link #type()}, {@link #detail()}) or, for a batch of which no item was
 * learned, the items' results ({@link #body()}).
 */
public final class VigieException extends RuntimeException {
    private final int status;
    private final JsonNode body;

    VigieException(Operation operation, int status, JsonNode body, String text) {
        super(operation.method() + " " + operation.path() + " (" + operation.id() + ") answered " + status + ": "
                + (body != null && body.hasNonNull("detail") ? body.get("detail").asText() : text));
        this.status = status;
        this.body = body;
    }

    public int status() {
        return status;
    }

    /** The problem type's URI, or "" when the answer was not a problem document. */
    public String type() {
        return body != null && body.hasNonNull("type") ? body.get("type").asText() : "";
    }

    public String detail() {
        return body != null && body.hasNonNull("detail") ? body.get("detail").asText() : getMessage();
    }

    /** The answer's JSON, or null if it was not JSON. */
    public JsonNode body() {
        return body;
    }
}
