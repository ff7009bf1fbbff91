package io.vigie.learner;

/**
 * Thrown when a schema is invalid, or when an event does not fit its schema: a missing
 * required feature, a wrong type, an unknown nominal value or class. The message names the
 * field and the valid options; the service maps it to 422.
 */
public final class SchemaException extends LearnerException {
    private final String field;

    public SchemaException(String field, String message) {
        super(field == null ? message : "'" + shown(field) + "': " + message);
        this.field = field;
    }

    /** A caller's text as a message quotes it: at most 60 characters, so a huge value is never echoed back whole. */
    static String shown(String text) {
        return text.length() <= 60 ? text : text.substring(0, 60) + "… (" + text.length() + " characters)";
    }

    /** The offending feature or class name, or null when the schema as a whole is wrong. */
    public String field() {
        return field;
    }
}
