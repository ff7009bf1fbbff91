package io.vigie.datasets;

import io.vigie.learner.LearnerException;

/**
 * Thrown when a data source cannot be read as asked: a missing or unreadable file, a truncated
 * archive, a malformed row, an unknown column. The message names the file, the line and the
 * column where it can.
 */
public final class DataException extends LearnerException {
    public DataException(String message) {
        super(message);
    }

    public DataException(String message, Throwable cause) {
        super(message, cause);
    }
}
