package io.vigie.server.store;

import org.rocksdb.ColumnFamilyHandle;
import org.rocksdb.RocksDBException;
import org.rocksdb.RocksIterator;
import org.rocksdb.TtlDB;
import org.rocksdb.WriteBatch;

import java.nio.ByteBuffer;
import java.time.Duration;
import java.util.Arrays;
import java.util.Map;
import java.util.NavigableMap;
import java.util.TreeMap;

/**
 * How many scored events still wait for their label, counted by when they were scored, in buckets
 * of 1/128 of the label TTL: a bucket leaves the count once its TTL has passed, so the events no
 * label came for stop counting without being read (RocksDB drops them in a compaction, unseen).
 * An event leaves the count at most one bucket, under 1 % of the TTL, after its TTL.
 *
 * <p>Each bucket is a counter beside the model's others ({@code <model>\0PENDING@<start millis>}),
 * written in the same batch as the events that moved it, once per batch ({@link #writeMoved}: a
 * batch of a thousand labels moves one or two buckets a thousand times); buckets past the TTL are
 * deleted in a later batch. Only the model's writer thread uses it.
 */
final class PendingByTime {
    static final int BUCKETS_PER_TTL = 128;

    private final long ttlMillis;
    private final long width;
    private final byte[] prefix;
    /** Bucket start (epoch millis) → events scored in it and still waiting. */
    private final NavigableMap<Long, Long> buckets = new TreeMap<>();
    /** The buckets moved since they were last written. */
    private final java.util.Set<Long> moved = new java.util.HashSet<>();

    private PendingByTime(Duration ttl, byte[] prefix) {
        this.ttlMillis = ttl.toMillis();
        this.width = Math.max(1, ttlMillis / BUCKETS_PER_TTL);
        this.prefix = prefix;
    }

    /**
     * Reads a model's buckets. A count kept before buckets ({@code legacy}, one number for all
     * events) goes into the bucket of {@code nowMillis}: those events leave the count one TTL from now.
     */
    static PendingByTime load(TtlDB db, ColumnFamilyHandle counters, Duration ttl, byte[] prefix, long legacy, long nowMillis)
            throws RocksDBException {
        PendingByTime pending = new PendingByTime(ttl, prefix);
        try (RocksIterator it = db.newIterator(counters)) {
            for (it.seek(prefix); it.isValid() && startsWith(it.key(), prefix); it.next()) {
                long start = ByteBuffer.wrap(it.key(), prefix.length, 8).getLong();
                pending.buckets.put(start, ByteBuffer.wrap(it.value()).getLong());
            }
        }
        if (pending.buckets.isEmpty() && legacy > 0) {
            pending.buckets.put(pending.start(nowMillis), legacy);
        }
        return pending;
    }

    /** Moves the count of the events scored at {@code scoredAt} by {@code delta}, unless their TTL has passed. */
    void add(long scoredAt, long delta, long nowMillis) {
        long start = start(scoredAt);
        if (!live(start, nowMillis) || delta == 0) {
            return; // already out of the count
        }
        buckets.merge(start, delta, Long::sum);
        moved.add(start);
    }

    /** Writes the buckets moved since the last time, in the batch that moved them. */
    void writeMoved(WriteBatch batch, ColumnFamilyHandle counters) throws RocksDBException {
        for (long start : moved) {
            Long count = buckets.get(start);
            if (count != null) { // dropped as expired meanwhile: deleted in that batch
                put(batch, counters, start, count);
            }
        }
        moved.clear();
    }

    /** Writes every bucket, in the batch. */
    void persistAll(WriteBatch batch, ColumnFamilyHandle counters) throws RocksDBException {
        for (Map.Entry<Long, Long> bucket : buckets.entrySet()) {
            put(batch, counters, bucket.getKey(), bucket.getValue());
        }
    }

    private void put(WriteBatch batch, ColumnFamilyHandle counters, long start, long count) throws RocksDBException {
        batch.put(counters, key(start), ByteBuffer.allocate(8).putLong(count).array());
    }

    /** Deletes the buckets whose TTL has passed, in the batch. */
    void dropExpired(WriteBatch batch, ColumnFamilyHandle counters, long nowMillis) throws RocksDBException {
        while (!buckets.isEmpty() && !live(buckets.firstKey(), nowMillis)) {
            batch.delete(counters, key(buckets.pollFirstEntry().getKey()));
        }
    }

    /** The events scored within the TTL and not labelled. */
    long count(long nowMillis) {
        long count = 0;
        for (Map.Entry<Long, Long> bucket : buckets.tailMap(start(nowMillis - ttlMillis), true).entrySet()) {
            if (live(bucket.getKey(), nowMillis)) {
                count += bucket.getValue();
            }
        }
        return count;
    }

    private long start(long millis) {
        return Math.floorDiv(millis, width) * width;
    }

    /** Whether some event of the bucket starting then may still be within its TTL. */
    private boolean live(long start, long nowMillis) {
        return nowMillis - (start + width - 1) <= ttlMillis;
    }

    private byte[] key(long start) {
        return ByteBuffer.allocate(prefix.length + 8).put(prefix).putLong(start).array();
    }

    private static boolean startsWith(byte[] key, byte[] prefix) {
        return key.length == prefix.length + 8 && Arrays.equals(key, 0, prefix.length, prefix, 0, prefix.length);
    }
}
