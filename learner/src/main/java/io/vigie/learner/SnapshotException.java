package io.vigie.learner;

/**
 * Thrown when a snapshot file cannot be trusted: not a snapshot, a format version this build
 * does not read, truncated, or failing its checksum. Nothing of such a file is used.
 */
public final class SnapshotException extends LearnerException {
    public SnapshotException(String message) {
        super(message);
    }

    public SnapshotException(String message, Throwable cause) {
        super(message, cause);
    }
}
