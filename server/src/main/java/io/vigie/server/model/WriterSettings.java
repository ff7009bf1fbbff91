package io.vigie.server.model;

/**
 * Tuning and limits of each model.
 *
 * @param queueCapacity    requests a model holds before it answers 429
 * @param maxDrain         requests the writer takes in one batch, whose labels share one fsync
 * @param snapshotEvery    log records applied between periodic snapshots
 * @param minFreeBytes     writes are refused while the data dir's volume has less free
 * @param diskCheckMillis  how old a reading of the free space may be (see {@link io.vigie.server.store.DiskGuard})
 * @param maxPendingEvents scored events a model may keep waiting for labels (507 past it)
 * @param maxPendingBytes  bytes those events may take on disk (507 past it)
 * @param maxMembers       base models one model may build (an ensemble's members, a committee's in all)
 * @param retention        which versions are kept
 * @param logSegmentBytes  the size at which the log starts a new segment; whole segments behind
 *                         the versions kept are deleted
 */
public record WriterSettings(int queueCapacity, int maxDrain, long snapshotEvery, long minFreeBytes, long diskCheckMillis,
                             long maxPendingEvents, long maxPendingBytes, long maxMembers, VersionRetention retention,
                             long logSegmentBytes) {
    public static final WriterSettings DEFAULTS = new WriterSettings(10_000, 512, 100_000, 64L << 20, 100, 1_000_000_000L,
            64L << 30, 256, VersionRetention.DEFAULT, io.vigie.server.store.EventLog.DEFAULT_SEGMENT_BYTES);
}
