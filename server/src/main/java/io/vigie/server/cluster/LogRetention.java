package io.vigie.server.cluster;

import io.vigie.server.ApiProblem;
import io.vigie.server.model.Aggregate;
import io.vigie.server.model.ModelDefinition;
import io.vigie.server.model.ModelWriter;
import io.vigie.server.model.Models;
import io.vigie.server.store.Versions;
import org.apache.kafka.clients.admin.Admin;
import org.apache.kafka.clients.admin.OffsetSpec;
import org.apache.kafka.clients.admin.RecordsToDelete;
import org.apache.kafka.common.TopicPartition;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import java.time.Clock;
import java.util.Collection;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeMap;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.TimeUnit;
import java.util.function.Function;
import java.util.function.Supplier;

/**
 * Keeps the models' log bounded, on the partitions this instance owns: it makes the snapshot topic
 * hold the versions this instance keeps of each model it owns (publishing the new ones, removing
 * those its retention deleted, and those of deleted models), then deletes the log's records that
 * no one needs any more. A record goes once every model of its partition has a snapshot in Kafka that holds
 * it, and it is older than the longest time its partition's models keep an event for its label
 * (their label TTL, plus the longest window of their computed features): the scored events
 * waiting for labels, and the entities' histories, are in the log only.
 */
final class LogRetention implements AutoCloseable {
    private static final Logger LOG = LoggerFactory.getLogger(LogRetention.class);
    private static final long INTERVAL_MILLIS = 1_000;

    private final ClusterSettings settings;
    private final Models models;
    private final Ownership ownership;
    private final Supplier<Set<String>> known;
    private final SnapshotTopic snapshots;
    private final LogPositions positions;
    private final Admin admin;
    private final Clock clock;
    /** The versions of each model ({@code name@created}) in the snapshot topic, with their chunk counts, as far as this instance knows. */
    private final Map<String, TreeMap<Long, Integer>> inKafka = new ConcurrentHashMap<>();
    /** Reads what the snapshot topic holds on some partitions. */
    private final Function<Collection<Integer>, Map<String, TreeMap<Long, Integer>>> read;
    /** The partitions owned at the last look: those taken over since are read again (their former owner published meanwhile). */
    private Set<Integer> owned = Set.of();
    /** Per partition, where the log was last cut. */
    private final Map<Integer, Long> cuts = new ConcurrentHashMap<>();
    private final Thread thread;
    private volatile boolean running = true;

    /**
     * @param known  the models the cluster knows
     * @param joined the versions the snapshot topic held when this instance joined
     * @param read   reads the versions the snapshot topic holds on some partitions
     */
    LogRetention(ClusterSettings settings, Models models, Ownership ownership, Supplier<Set<String>> known, SnapshotTopic snapshots,
                 LogPositions positions, Admin admin, Map<String, TreeMap<Long, Integer>> joined,
                 Function<Collection<Integer>, Map<String, TreeMap<Long, Integer>>> read, Clock clock) {
        this.settings = settings;
        this.models = models;
        this.ownership = ownership;
        this.known = known;
        this.snapshots = snapshots;
        this.positions = positions;
        this.admin = admin;
        this.clock = clock;
        this.read = read;
        joined.forEach((model, versions) -> inKafka.put(model, new TreeMap<>(versions)));
        this.thread = new Thread(this::run, "vigie-cluster-retention");
        thread.setDaemon(true);
        thread.start();
    }

    private void run() {
        while (running) {
            try {
                Set<Integer> now = Set.copyOf(ownership.owned());
                Set<Integer> takenOver = new java.util.HashSet<>(now);
                takenOver.removeAll(owned);
                if (!takenOver.isEmpty()) {
                    Map<String, TreeMap<Long, Integer>> versions = read.apply(takenOver);
                    synchronized (this) {
                        versions.forEach((model, of) -> inKafka.put(model, new TreeMap<>(of)));
                    }
                }
                owned = now;
                mirrorVersions();
                for (int partition : now) {
                    cut(partition);
                }
            } catch (InterruptedException e) {
                return;
            } catch (Exception e) {
                LOG.warn("cluster '{}': publishing snapshots or cutting the models' log failed, will retry: {}", settings.name(),
                        e.toString());
            }
            try {
                Thread.sleep(INTERVAL_MILLIS); // the interval between looks, not a synchronisation
            } catch (InterruptedException e) {
                return;
            }
        }
    }

    /** Publishes a version of a model now, unless the snapshot topic holds it already (a rollback to it is about to be published). */
    synchronized void keep(ModelDefinition model, long version, byte[] snapshot) {
        TreeMap<Long, Integer> published = inKafka.computeIfAbsent(LogPositions.key(model.name(), model.createdAtMillis()),
                k -> new TreeMap<>());
        if (!published.containsKey(version)) {
            published.put(version, snapshots.publish(model, version, snapshot));
        }
    }

    /** Makes the snapshot topic hold the versions this instance keeps of the models it owns, and no others of theirs. */
    private synchronized void mirrorVersions() {
        Set<String> live = new java.util.HashSet<>();
        for (ModelWriter writer : models.all()) {
            ModelDefinition model = writer.definition();
            if (!ownership.owns(model.name())) {
                continue;
            }
            String key = LogPositions.key(model.name(), model.createdAtMillis());
            live.add(key);
            TreeMap<Long, Integer> published = inKafka.computeIfAbsent(key, k -> new TreeMap<>());
            Set<Long> kept = new java.util.HashSet<>();
            for (Versions.Version version : writer.versions()) {
                kept.add(version.version());
                if (!published.containsKey(version.version())) {
                    try {
                        published.put(version.version(), snapshots.publish(model, version.version(), writer.snapshotBytes(version.version())));
                    } catch (ApiProblem deletedSince) {
                        kept.remove(version.version());
                    }
                }
            }
            // the newest in Kafka stays, kept here or not: a newcomer starts from it, and the log was cut behind it
            for (Long gone : List.copyOf(published.headMap(published.isEmpty() ? 0 : published.lastKey()).keySet())) {
                if (!kept.contains(gone)) {
                    snapshots.remove(model.name(), model.createdAtMillis(), gone, published.remove(gone));
                }
            }
            if (!published.isEmpty()) {
                positions.heldUpTo(model.name(), model.createdAtMillis(), published.lastKey());
            }
        }
        for (String key : List.copyOf(inKafka.keySet())) { // models deleted, or made again under their name: their versions go
            int at = key.lastIndexOf('@');
            String name = key.substring(0, at);
            if (live.contains(key) || !ownership.owns(name)) {
                continue;
            }
            ModelWriter writer = models.find(name);
            boolean remade = writer != null && writer.definition().createdAtMillis() != Long.parseLong(key.substring(at + 1));
            if (remade || writer == null && !known.get().contains(name)) {
                TreeMap<Long, Integer> versions = inKafka.remove(key);
                versions.forEach((version, chunks) -> snapshots.remove(name, Long.parseLong(key.substring(at + 1)), version, chunks));
            }
        }
    }

    /** Deletes the partition's records before the first one still needed, if that moved. */
    private void cut(int partition) throws Exception {
        long cut = Long.MAX_VALUE;
        long keepMillis = 0;
        boolean any = false;
        for (String name : known.get()) {
            if (Ownership.partition(name, settings.partitions()) != partition) {
                continue;
            }
            ModelWriter writer = models.find(name);
            if (writer == null) {
                return; // a model of the partition not open here: what it needs is not known, nothing is cut
            }
            ModelDefinition model = writer.definition();
            cut = Math.min(cut, positions.notHeldFrom(name, model.createdAtMillis(), newestInKafka(name, model.createdAtMillis())));
            keepMillis = Math.max(keepMillis, keptFor(model));
            any = true;
        }
        if (!any) {
            return;
        }
        TopicPartition log = new TopicPartition(settings.logTopic(), partition);
        long oldestKept = admin.listOffsets(Map.of(log, OffsetSpec.forTimestamp(clock.millis() - keepMillis)))
                .partitionResult(log).get(30, TimeUnit.SECONDS).offset();
        if (oldestKept < 0) { // every record is older
            oldestKept = admin.listOffsets(Map.of(log, OffsetSpec.latest())).partitionResult(log).get(30, TimeUnit.SECONDS).offset();
        }
        cut = Math.min(cut, oldestKept);
        if (cut > cuts.getOrDefault(partition, 0L)) {
            admin.deleteRecords(Map.of(log, RecordsToDelete.beforeOffset(cut))).all().get(30, TimeUnit.SECONDS);
            cuts.put(partition, cut);
            LOG.debug("cluster '{}': the models' log of partition {} now starts at {}", settings.name(), partition, cut);
        }
    }

    /** The newest version of a model the snapshot topic holds, as far as this instance knows (0 for none). */
    private synchronized long newestInKafka(String name, long created) {
        TreeMap<Long, Integer> published = inKafka.get(LogPositions.key(name, created));
        return published == null || published.isEmpty() ? 0 : published.lastKey();
    }

    /** How long the log must keep a model's scored events and its entities' histories. */
    private static long keptFor(ModelDefinition model) {
        long longestWindow = 0;
        for (Aggregate aggregate : model.aggregates()) {
            longestWindow = Math.max(longestWindow, aggregate.window().toMillis() + aggregate.delay().toMillis());
        }
        return model.labelTtl().toMillis() + longestWindow;
    }

    @Override
    public void close() throws InterruptedException {
        running = false;
        thread.interrupt();
        thread.join(10_000);
    }
}
