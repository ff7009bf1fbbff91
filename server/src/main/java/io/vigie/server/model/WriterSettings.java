package io.vigie.server.model;

/**
 * Tuning of a model's writer.
 *
 * @param queueCapacity   requests a model holds before it answers 429
 * @param maxDrain        requests the writer takes in one batch, whose labels share one fsync
 * @param snapshotEvery   log records applied between periodic snapshots
 * @param minFreeBytes    writes are refused while the data dir's volume has less free
 * @param diskCheckMillis how old a reading of the free space may be (see {@link io.vigie.server.store.DiskGuard})
 */
public record WriterSettings(int queueCapacity, int maxDrain, long snapshotEvery, long minFreeBytes, long diskCheckMillis) {
    public static final WriterSettings DEFAULTS = new WriterSettings(10_000, 512, 100_000, 64L << 20, 100);
}
