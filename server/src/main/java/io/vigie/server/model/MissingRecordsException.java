package io.vigie.server.model;

/**
 * Records a model's owner published go on past what this instance's copy holds: the records
 * between were cut from the cluster's log, behind a snapshot this copy does not have. The copy
 * must start again from that snapshot.
 */
public final class MissingRecordsException extends IllegalStateException {
    MissingRecordsException(String message) {
        super(message);
    }
}
