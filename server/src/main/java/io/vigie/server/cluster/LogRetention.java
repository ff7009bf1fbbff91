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
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.TimeUnit;
import java.util.function.Supplier;

/**
 * Keeps the models' log bounded, on the partitions this instance owns: it publishes each owned
 * model's newest version to the snapshot topic, then deletes the log's records that no one needs
 * any more. A record goes once every model of its partition has a snapshot in Kafka that holds
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
    /** The newest version of each model ({@code name@created}) in the snapshot topic, as far as this instance knows. */
    private final Map<String, Long> published;
    /** Per partition, where the log was last cut. */
    private final Map<Integer, Long> cuts = new ConcurrentHashMap<>();
    private final Thread thread;
    private volatile boolean running = true;

    /**
     * @param known     the models the cluster knows
     * @param published the newest version of each model in the snapshot topic when this instance joined
     */
    LogRetention(ClusterSettings settings, Models models, Ownership ownership, Supplier<Set<String>> known, SnapshotTopic snapshots,
                 LogPositions positions, Admin admin, Map<String, Long> published, Clock clock) {
        this.settings = settings;
        this.models = models;
        this.ownership = ownership;
        this.known = known;
        this.snapshots = snapshots;
        this.positions = positions;
        this.admin = admin;
        this.clock = clock;
        this.published = new ConcurrentHashMap<>(published);
        this.thread = new Thread(this::run, "vigie-cluster-retention");
        thread.setDaemon(true);
        thread.start();
    }

    private void run() {
        while (running) {
            try {
                publishNewVersions();
                for (int partition : ownership.owned()) {
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

    private void publishNewVersions() {
        for (ModelWriter writer : models.all()) {
            ModelDefinition model = writer.definition();
            List<Versions.Version> versions = writer.versions();
            if (!ownership.owns(model.name()) || versions.isEmpty()) {
                continue;
            }
            String key = LogPositions.key(model.name(), model.createdAtMillis());
            long newest = versions.get(versions.size() - 1).version();
            if (published.getOrDefault(key, -1L) >= newest) {
                continue;
            }
            byte[] snapshot;
            try {
                snapshot = writer.snapshotBytes(newest);
            } catch (ApiProblem deletedSince) {
                continue;
            }
            snapshots.publish(model, newest, snapshot);
            published.put(key, newest);
            positions.heldUpTo(model.name(), model.createdAtMillis(), newest);
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
            long held = published.getOrDefault(LogPositions.key(name, model.createdAtMillis()), 0L);
            cut = Math.min(cut, positions.notHeldFrom(name, model.createdAtMillis(), held));
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
