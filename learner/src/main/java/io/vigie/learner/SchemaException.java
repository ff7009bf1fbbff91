package io.vigie.learner;

/**
 * Thrown when a schema is invalid, or when an event does not fit its schema: a missing
 * required feature, a wrong type, an unknown nominal value or class. The message names the
 * field and the valid options; the service maps it to 422.
 */
public final class SchemaException extends LearnerException {
    private final String field;

    public SchemaException(String field, String message) {
        super(field == null ? message : "'" + field + "': " + message);
        this.field = field;
    }

    /** The offending feature or class name, or null when the schema as a whole is wrong. */
    public String field() {
        return field;
    }
}
