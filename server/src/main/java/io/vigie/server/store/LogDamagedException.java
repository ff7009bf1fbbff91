package io.vigie.server.store;

import java.io.IOException;
import java.nio.file.Path;

/**
 * A model's log is damaged in the middle: a record after {@code lastGoodSeq} does not read, yet
 * valid records follow it. They were acknowledged, so nothing is cut; the model stays stopped
 * until an operator repairs the log ({@code vigie repair}), which keeps the damaged bytes aside and
 * goes on without the records it could not read.
 */
public final class LogDamagedException extends IOException {
    private final long damagedAt;
    private final long lastGoodSeq;
    private final long resumesAt;

    LogDamagedException(Path log, long damagedAt, long lastGoodSeq, long resumesAt) {
        super("the log " + log.getFileName() + " is damaged at byte " + damagedAt + " (the record after version " + lastGoodSeq
                + " does not read) and valid records follow from byte " + resumesAt + "; nothing was cut. Stop the service and "
                + "run 'vigie repair --data-dir DIR --model NAME' to keep the damaged bytes aside and go on without them");
        this.damagedAt = damagedAt;
        this.lastGoodSeq = lastGoodSeq;
        this.resumesAt = resumesAt;
    }

    /** The byte offset of the first record that does not read. */
    public long damagedAt() {
        return damagedAt;
    }

    /** The sequence number of the last record before the damage. */
    public long lastGoodSeq() {
        return lastGoodSeq;
    }

    /** The byte offset of the first valid record after the damage. */
    public long resumesAt() {
        return resumesAt;
    }
}
