package io.vigie.server.cluster;

import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ConcurrentSkipListMap;

/**
 * Where each model's runs of records start in the models' log ({@code NAME.log}), as this instance
 * published or followed them: the sequence number of a run's first record and its offset. It says
 * how far the log may be cut behind a snapshot of a model without losing a record the snapshot
 * does not hold. A model is named with its creation time, since a name made again starts a new log.
 */
final class LogPositions {
    private final Map<String, ConcurrentSkipListMap<Long, Long>> byModel = new ConcurrentHashMap<>();

    static String key(String model, long created) {
        return model + "@" + created;
    }

    /** A run of the model's records numbered from {@code firstSeq} starts at {@code offset} of its partition. */
    void record(String model, long created, long firstSeq, long offset) {
        byModel.computeIfAbsent(key(model, created), k -> new ConcurrentSkipListMap<>()).putIfAbsent(firstSeq, offset);
    }

    /**
     * An offset at or before the model's first record after {@code version} (the records up to it
     * are in a snapshot); {@link Long#MAX_VALUE} if no record of the model was seen. The run
     * holding that record may start before it: the bound is then the run's start.
     */
    long notHeldFrom(String model, long created, long version) {
        ConcurrentSkipListMap<Long, Long> runs = byModel.get(key(model, created));
        if (runs == null || runs.isEmpty()) {
            return Long.MAX_VALUE;
        }
        Map.Entry<Long, Long> holding = runs.floorEntry(version + 1);
        // none starts at or before it: every run seen starts after it (those before were cut already)
        return holding != null ? holding.getValue() : runs.firstEntry().getValue();
    }

    /** Forgets the runs a snapshot of {@code version} holds whole, but the one a cut must still respect. */
    void heldUpTo(String model, long created, long version) {
        ConcurrentSkipListMap<Long, Long> runs = byModel.get(key(model, created));
        Long holding = runs == null ? null : runs.floorKey(version + 1);
        if (holding != null) {
            runs.headMap(holding, false).clear();
        }
    }
}
