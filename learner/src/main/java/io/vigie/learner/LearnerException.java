package io.vigie.learner;

/**
 * Root of every error the learner library raises on purpose. Each subtype says when it is
 * thrown; callers (the CLI, the service) map them to a clear message or status without
 * ever showing a stack trace for a user's mistake.
 */
public class LearnerException extends RuntimeException {
    public LearnerException(String message) {
        super(message);
    }

    public LearnerException(String message, Throwable cause) {
        super(message, cause);
    }
}
