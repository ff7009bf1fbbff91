package io.vigie.server.store;

import org.rocksdb.ColumnFamilyHandle;
import org.rocksdb.RocksDBException;
import org.rocksdb.RocksIterator;
import org.rocksdb.TtlDB;
import org.rocksdb.WriteBatch;
import org.rocksdb.WriteOptions;

import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;

/**
 * A model's scored events by the end of their implicit-label period, for models that declare one:
 * the writer asks which periods the model's clock has passed. Each entry is a key beside the
 * model's counters ({@code <model>\0DUE@<end><id>}, ordered by end), written in the same batch as
 * the event it indexes. An entry stays until the event's implied label is recorded, so that a crash
 * before it is logged loses nothing; entries of events labelled meanwhile, scored again or gone
 * are dropped when they come due. Only the model's writer thread uses it.
 */
final class ImpliedLabelIndex {
    /** Reads a stored event by id. */
    interface Events {
        ScoredEvent get(String id) throws RocksDBException;
    }

    private final TtlDB db;
    private final ColumnFamilyHandle family;
    private final byte[] prefix;
    private final long periodMillis;
    /** The earliest end in the index (Long.MAX_VALUE: none), so that most scorings need not look. */
    private long nextDue;

    ImpliedLabelIndex(TtlDB db, ColumnFamilyHandle family, byte[] modelPrefix, Duration period) throws RocksDBException {
        this.db = db;
        this.family = family;
        this.prefix = ByteBuffer.allocate(modelPrefix.length + 4).put(modelPrefix).put("DUE@".getBytes(StandardCharsets.US_ASCII)).array();
        this.periodMillis = period.toMillis();
        this.nextDue = firstDue();
    }

    /** Indexes an event by the end of its period, in the batch. */
    void add(WriteBatch batch, String id, long eventTime) throws RocksDBException {
        long due = eventTime + periodMillis;
        batch.put(family, key(due, id), new byte[0]);
        nextDue = Math.min(nextDue, due);
    }

    /** Drops the entry of an event whose implied label is recorded, in the batch. */
    void remove(WriteBatch batch, String id, long due) throws RocksDBException {
        batch.delete(family, key(due, id));
    }

    long nextDue() {
        return nextDue;
    }

    /** The events still unlabelled whose period ended by {@code clock}, earliest first, at most {@code max}. */
    List<PendingEvents.Due> dueBy(long clock, int max, Events events, WriteOptions options) throws RocksDBException {
        List<PendingEvents.Due> due = new ArrayList<>();
        try (WriteBatch stale = new WriteBatch(); RocksIterator it = db.newIterator(family)) {
            for (it.seek(prefix); it.isValid() && due.size() < max && startsWith(it.key()); it.next()) {
                long end = ByteBuffer.wrap(it.key()).getLong(prefix.length);
                if (end > clock) {
                    break;
                }
                String id = new String(it.key(), prefix.length + 8, it.key().length - prefix.length - 8, StandardCharsets.UTF_8);
                ScoredEvent event = events.get(id);
                if (event == null || event.labelled() || event.eventTime() + periodMillis != end) {
                    stale.delete(family, it.key());
                } else {
                    due.add(new PendingEvents.Due(id, event, end));
                }
            }
            db.write(options, stale);
        }
        nextDue = due.isEmpty() ? firstDue() : due.get(0).due();
        return due;
    }

    private long firstDue() throws RocksDBException {
        try (RocksIterator it = db.newIterator(family)) {
            it.seek(prefix);
            return it.isValid() && startsWith(it.key()) ? ByteBuffer.wrap(it.key()).getLong(prefix.length) : Long.MAX_VALUE;
        }
    }

    private byte[] key(long due, String id) {
        byte[] utf8 = id.getBytes(StandardCharsets.UTF_8);
        return ByteBuffer.allocate(prefix.length + 8 + utf8.length).put(prefix).putLong(due).put(utf8).array();
    }

    private boolean startsWith(byte[] key) {
        return key.length >= prefix.length && Arrays.equals(key, 0, prefix.length, prefix, 0, prefix.length);
    }
}
