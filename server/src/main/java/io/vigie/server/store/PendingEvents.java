package io.vigie.server.store;

import io.vigie.server.ApiProblem;
import org.rocksdb.ColumnFamilyHandle;
import org.rocksdb.RocksDBException;
import org.rocksdb.TtlDB;
import org.rocksdb.WriteBatch;
import org.rocksdb.WriteOptions;

import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.time.Clock;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Collections;
import java.util.EnumMap;
import java.util.HashMap;
import java.util.List;
import java.util.Map;

/**
 * One model's scored events by id, and its counters, in RocksDB. Only the model's writer thread
 * writes here, so counters are kept in memory and written in the same batch as the event that
 * moved them: after a crash they agree with the events.
 *
 * <p>Writes go through RocksDB's write-ahead log without fsync: they survive the process being
 * killed, not the machine losing power. Labels, which the service acknowledges, are made durable
 * by the model's own log.
 */
public final class PendingEvents {
    /** What the counters count. */
    public enum Counter {
        /** Predictions made (every scoring, including re-scorings of an id). */
        PREDICTIONS,
        /** Scored events waiting for their label, within the label TTL ({@link PendingByTime}). */
        PENDING,
        /** Labels for ids never scored, or scored so long ago that RocksDB dropped them. */
        UNKNOWN,
        /** Labels for ids already labelled. */
        DUPLICATE,
        /** Labels that arrived after the label TTL. */
        LATE
    }

    private final TtlDB db;
    private final ColumnFamilyHandle family;
    private final ColumnFamilyHandle counterFamily;
    private final String model;
    private final Duration ttl;
    private final Clock clock;
    private final Map<Counter, Long> counts = new EnumMap<>(Counter.class);
    private final WriteOptions writeOptions = new WriteOptions();
    private final PendingByTime pendingByTime;
    /** Events by the end of their implicit-label period, for a model that declares one; else null. */
    private final ImpliedLabelIndex implied;

    PendingEvents(TtlDB db, ColumnFamilyHandle family, ColumnFamilyHandle counterFamily, String model, Duration ttl,
                  Duration impliedAfter, Clock clock) throws RocksDBException {
        this.db = db;
        this.family = family;
        this.counterFamily = counterFamily;
        this.model = model;
        this.ttl = ttl;
        this.clock = clock;
        for (Counter counter : Counter.values()) {
            byte[] value = db.get(counterFamily, counterKey(counter));
            counts.put(counter, value == null ? 0L : ByteBuffer.wrap(value).getLong());
        }
        long legacy = counts.remove(Counter.PENDING);
        this.pendingByTime = PendingByTime.load(db, counterFamily, ttl, pendingPrefix(), legacy, clock.millis());
        if (legacy != 0) {
            // the one count kept before buckets becomes a bucket, once
            try (WriteBatch batch = new WriteBatch()) {
                pendingByTime.persistAll(batch, counterFamily);
                batch.delete(counterFamily, counterKey(Counter.PENDING));
                db.write(writeOptions, batch);
            }
        }
        this.implied = impliedAfter == null ? null : new ImpliedLabelIndex(db, counterFamily, counterPrefix(model), impliedAfter);
    }

    /** The stored event for an id, or null. Safe from any thread. */
    public ScoredEvent get(String id) throws RocksDBException {
        byte[] value = db.get(family, key(id));
        return value == null ? null : ScoredEvent.decode(value);
    }

    /** The stored events of ids, in order (null where none), in one read. */
    public List<ScoredEvent> getAll(List<String> ids) throws RocksDBException {
        List<byte[]> keys = new ArrayList<>(ids.size());
        ids.forEach(id -> keys.add(key(id)));
        List<ScoredEvent> events = new ArrayList<>(ids.size());
        for (byte[] value : db.multiGetAsList(Collections.nCopies(keys.size(), family), keys)) {
            events.add(value == null ? null : ScoredEvent.decode(value));
        }
        return events;
    }

    /** Whether an event scored then is past the label TTL now. */
    public boolean expired(ScoredEvent event) {
        return clock.millis() - event.scoredAt() > ttl.toMillis();
    }

    /** An event as scored, to keep until its label arrives. */
    public record Scoring(String id, ScoredEvent event) {
    }

    /**
     * Stores scorings in one read and one write; scoring an id again replaces its event, which
     * waits for a label again.
     */
    public void scored(List<Scoring> scorings) throws RocksDBException {
        scored(scorings, getAll(scorings.stream().map(Scoring::id).toList()), Map.of());
    }

    /**
     * As {@link #scored(List)}, given what {@link #getAll} read for these ids just before on the
     * writer's thread (so not read twice), with the entities' histories the scorings changed
     * ({@link #histories}), in the same write.
     */
    public void scored(List<Scoring> scorings, List<ScoredEvent> stored, Map<String, double[]> histories) throws RocksDBException {
        List<byte[]> keys = new ArrayList<>(scorings.size());
        scorings.forEach(s -> keys.add(key(s.id())));
        Map<String, Long> inThisBatch = new HashMap<>(); // id → when it was scored earlier in the batch
        long now = clock.millis();
        try (WriteBatch batch = new WriteBatch()) {
            pendingByTime.dropExpired(batch, counterFamily, now);
            for (int i = 0; i < scorings.size(); i++) {
                Scoring scoring = scorings.get(i);
                batch.put(family, keys.get(i), scoring.event().encode());
                Long earlier = inThisBatch.put(scoring.id(), scoring.event().scoredAt());
                ScoredEvent before = earlier != null ? null : stored.get(i);
                if (earlier != null) {
                    pendingByTime.add(earlier, -1, now); // scored again: it waits from now on
                } else if (before != null && stillPending(before)) {
                    pendingByTime.add(before.scoredAt(), -1, now);
                }
                pendingByTime.add(scoring.event().scoredAt(), 1, now);
                if (implied != null) {
                    implied.add(batch, scoring.id(), scoring.event().eventTime());
                }
            }
            count(batch, Counter.PREDICTIONS, scorings.size());
            pendingByTime.writeMoved(batch, counterFamily);
            putHistories(batch, histories);
            db.write(writeOptions, batch);
        }
    }

    private boolean stillPending(ScoredEvent event) {
        return !event.labelled() && !expired(event);
    }

    /** A learned label, to record on its stored scoring; {@code implied}: no label came, the model's implicit one was learned. */
    public record Labelled(String id, ScoringRef scoring, int label, long at, boolean implied, long eventTime, List<String> keys) {
        public Labelled(String id, ScoredEvent scoring, int label, long at, boolean implied) {
            this(id, new ScoringRef(scoring.version(), scoring.scoredAt()), label, at, implied, scoring.eventTime(), scoring.keys());
        }
    }

    /** Which scoring of an id a label was joined to (an id scored again is a new event). */
    public record ScoringRef(long version, long scoredAt) {
        boolean of(ScoredEvent event) {
            return event.version() == version && event.scoredAt() == scoredAt;
        }
    }

    /**
     * Records that the labels of scorings were learned, in one read and one write. Idempotent, so
     * log replay may repeat it; an id scored again since is left alone. A label sent after an
     * implied one replaces it; an implied one takes the event out of the implicit-label index.
     */
    public void labelled(List<Labelled> marks) throws RocksDBException {
        labelled(marks, Map.of());
    }

    /** As {@link #labelled(List)}, with the entities' histories the labels changed, in the same write. */
    public void labelled(List<Labelled> marks, Map<String, double[]> histories) throws RocksDBException {
        if (marks.isEmpty()) {
            return;
        }
        List<byte[]> keys = new ArrayList<>(marks.size());
        marks.forEach(m -> keys.add(key(m.id())));
        List<byte[]> current = db.multiGetAsList(Collections.nCopies(marks.size(), family), keys);
        Map<String, ScoredEvent> inThisBatch = new HashMap<>(); // an implied label and its correction may share a batch
        try (WriteBatch batch = new WriteBatch()) {
            for (int i = 0; i < marks.size(); i++) {
                Labelled mark = marks.get(i);
                ScoredEvent event = inThisBatch.containsKey(mark.id()) ? inThisBatch.get(mark.id())
                        : current.get(i) == null ? null : ScoredEvent.decode(current.get(i));
                if (mark.implied() && implied != null) {
                    implied.remove(batch, mark.id(), mark.at());
                }
                boolean replacesImplied = event != null && event.implied() && !mark.implied();
                if (event == null || event.labelled() && !replacesImplied || !mark.scoring().of(event)) {
                    continue;
                }
                ScoredEvent marked = mark.implied() ? event.withImpliedLabel(mark.label(), mark.at()) : event.withLabel(mark.label(), mark.at());
                batch.put(family, keys.get(i), marked.encode());
                inThisBatch.put(mark.id(), marked);
                if (!event.labelled()) {
                    pendingByTime.add(event.scoredAt(), -1, clock.millis());
                }
            }
            pendingByTime.writeMoved(batch, counterFamily);
            putHistories(batch, histories);
            db.write(writeOptions, batch);
        }
    }

    /**
     * Takes back the label of stored events whose label records were lost in a repaired log: their
     * labels can be sent again instead of being refused as duplicates. Events not labelled are left
     * alone.
     *
     * @return how many events were waiting for their label again
     */
    public int unlabel(List<String> ids) throws RocksDBException {
        int undone = 0;
        try (WriteBatch batch = new WriteBatch()) {
            for (String id : ids) {
                ScoredEvent event = get(id);
                if (event != null && event.labelled()) {
                    batch.put(family, key(id), event.withLabel(-1, 0).encode());
                    pendingByTime.add(event.scoredAt(), 1, clock.millis());
                    if (implied != null) { // it may be implied again once its period ends
                        implied.add(batch, id, event.eventTime());
                    }
                    undone++;
                }
            }
            pendingByTime.writeMoved(batch, counterFamily);
            db.write(writeOptions, batch);
        }
        return undone;
    }

    /**
     * Records labelled events learned without a scoring before (the events route): stored labelled,
     * so that their ids are known and a later label or scoring of them is refused. Idempotent, so
     * log replay may repeat it.
     */
    public void learned(List<Scoring> learned) throws RocksDBException {
        if (learned.isEmpty()) {
            return;
        }
        try (WriteBatch batch = new WriteBatch()) {
            for (Scoring event : learned) {
                batch.put(family, key(event.id()), event.event().encode());
            }
            db.write(writeOptions, batch);
        }
    }

    /** The entities' histories behind a model's computed features, by name ({@code key\0entity}); absent ones are left out. */
    public Map<String, double[]> histories(java.util.Collection<String> names) throws RocksDBException {
        if (names.isEmpty()) {
            return new HashMap<>(); // RocksDB asserts that a multi-get reads something
        }
        List<byte[]> keys = new ArrayList<>(names.size());
        names.forEach(name -> keys.add(historyKey(name)));
        List<byte[]> values = db.multiGetAsList(Collections.nCopies(keys.size(), counterFamily), keys);
        Map<String, double[]> histories = new HashMap<>();
        int i = 0;
        for (String name : names) {
            byte[] value = values.get(i++);
            if (value != null) {
                double[] history = new double[value.length / 8];
                ByteBuffer.wrap(value).asDoubleBuffer().get(history);
                histories.put(name, history);
            }
        }
        return histories;
    }

    private void putHistories(WriteBatch batch, Map<String, double[]> histories) throws RocksDBException {
        for (Map.Entry<String, double[]> history : histories.entrySet()) {
            ByteBuffer value = ByteBuffer.allocate(8 * history.getValue().length);
            value.asDoubleBuffer().put(history.getValue());
            batch.put(counterFamily, historyKey(history.getKey()), value.array());
        }
    }

    private byte[] historyKey(String name) {
        byte[] prefix = counterPrefix(model);
        byte[] utf8 = ("AGG@" + name).getBytes(StandardCharsets.UTF_8);
        return ByteBuffer.allocate(prefix.length + utf8.length).put(prefix).put(utf8).array();
    }

    /** An event still unlabelled whose implicit-label period ended at {@code due}. */
    public record Due(String id, ScoredEvent event, long due) {
    }

    /** The earliest end of an implicit-label period still indexed (Long.MAX_VALUE: none): nothing is due before it. */
    public long nextDue() {
        return implied == null ? Long.MAX_VALUE : implied.nextDue();
    }

    /**
     * The events whose implicit-label period ended by {@code clock} and that are still unlabelled,
     * earliest first, at most {@code max}; they stay indexed until their implied label is recorded
     * ({@link #labelled}), so that a crash before it is logged loses nothing.
     */
    public List<Due> dueBy(long clock, int max) throws RocksDBException {
        return implied.dueBy(clock, max, this::get, writeOptions);
    }

    /** Counts a label that was not learned (unknown, duplicate or late). */
    public void rejected(Counter counter) throws RocksDBException {
        try (WriteBatch batch = new WriteBatch()) {
            count(batch, counter, 1);
            db.write(writeOptions, batch);
        }
    }

    /**
     * The scored events stored now and the bytes they take, as RocksDB estimates them (expired
     * events count until a compaction drops them): what the model's quota is checked against.
     */
    public long[] stored() {
        try {
            return new long[]{db.getLongProperty(family, "rocksdb.estimate-num-keys"),
                    db.getLongProperty(family, "rocksdb.estimate-live-data-size") + db.getLongProperty(family, "rocksdb.cur-size-all-mem-tables")};
        } catch (RocksDBException e) {
            return new long[]{0, 0}; // no estimate: the quota cannot hold a write back
        }
    }

    /**
     * The model's quota of stored events: with {@code more} stored, would it pass either limit?
     * Then scoring (which stores) is a 507 that names the limit.
     */
    public void requireRoom(int more, long maxEvents, long maxBytes) {
        long[] now = stored();
        if (now[0] + more > maxEvents) {
            throw ApiProblem.insufficientStorage("pending-quota", "model '" + model + "' keeps " + now[0]
                    + " scored events waiting for labels, its limit (max_pending_events) is " + maxEvents
                    + "; label them, let them expire (label_ttl), or raise the limit");
        }
        if (now[1] > maxBytes) {
            throw ApiProblem.insufficientStorage("pending-quota", "model '" + model + "' keeps " + now[1]
                    + " bytes of scored events, its limit (max_pending_bytes) is " + maxBytes
                    + "; label them, let them expire (label_ttl), or raise the limit");
        }
    }

    public long count(Counter counter) {
        return counter == Counter.PENDING ? pendingByTime.count(clock.millis()) : counts.get(counter);
    }

    public Duration ttl() {
        return ttl;
    }

    private void count(WriteBatch batch, Counter counter, long delta) throws RocksDBException {
        long value = counts.merge(counter, delta, Long::sum);
        batch.put(counterFamily, counterKey(counter), ByteBuffer.allocate(8).putLong(value).array());
    }

    private static byte[] key(String id) {
        return id.getBytes(StandardCharsets.UTF_8);
    }

    private byte[] counterKey(Counter counter) {
        byte[] prefix = counterPrefix(model);
        byte[] name = counter.name().getBytes(StandardCharsets.US_ASCII);
        return ByteBuffer.allocate(prefix.length + name.length).put(prefix).put(name).array();
    }

    /** The keys of the pending buckets: {@code <model>\0PENDING@}, then the bucket's start. */
    private byte[] pendingPrefix() {
        byte[] counter = counterKey(Counter.PENDING);
        return ByteBuffer.allocate(counter.length + 1).put(counter).put((byte) '@').array();
    }

    /** Counter keys are {@code <model>\0<COUNTER>}: a model's counters are one contiguous range. */
    static byte[] counterPrefix(String model) {
        byte[] name = model.getBytes(StandardCharsets.UTF_8);
        return ByteBuffer.allocate(name.length + 1).put(name).put((byte) 0).array();
    }
}
