package io.vigie.learner;

/**
 * Thrown when a model spec names no preset and no MOA classifier, or when MOA rejects its
 * options. The message says which presets exist, or what MOA said; the service maps it to 422.
 */
public final class ModelSpecException extends LearnerException {
    public ModelSpecException(String message) {
        super(message);
    }

    public ModelSpecException(String message, Throwable cause) {
        super(message, cause);
    }
}
