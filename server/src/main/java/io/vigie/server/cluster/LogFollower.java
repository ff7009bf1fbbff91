package io.vigie.server.cluster;

import io.vigie.server.ApiProblem;
import io.vigie.server.model.MissingRecordsException;
import io.vigie.server.model.ModelDefinition;
import io.vigie.server.model.ModelWriter;
import io.vigie.server.model.Models;
import io.vigie.server.store.LogRecord;
import io.vigie.server.store.PendingEvents;
import io.vigie.server.store.ScoredEvent;
import java.nio.charset.StandardCharsets;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.clients.consumer.ConsumerRecords;
import org.apache.kafka.common.TopicPartition;
import org.apache.kafka.common.header.Header;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import java.io.IOException;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Properties;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ExecutionException;
import java.util.function.Supplier;

/**
 * Keeps this instance's copy of every model up to date with the cluster's log: it reads every
 * partition of {@code NAME.log} (committed records only) and hands each model's records to its
 * writer, which applies those it does not hold yet, in order, as its owner did. An instance that
 * takes a model over waits until it has followed the model's partition to its end
 * ({@link #awaitFollowed}), and then goes on from exactly the owner's state.
 */
final class LogFollower extends TopicReader<String, byte[]> {
    private static final Logger LOG = LoggerFactory.getLogger(LogFollower.class);
    private static final Duration POLL = Duration.ofMillis(100);
    private static final long BUSY_RETRY_MILLIS = 50;
    /** How long a record may wait for its model's definition to arrive on the control topic. */
    private static final long DEFINITION_WAIT_MILLIS = 30_000;

    private final ClusterSettings settings;
    private final Models models;
    private final Supplier<java.util.Set<String>> known;
    private final LogPositions positions;
    private final java.util.function.Function<ModelDefinition, ModelWriter> reseed;
    private final byte[] self;
    /** Per partition, the offset up to which everything was followed. */
    private final Map<Integer, Long> followed = new ConcurrentHashMap<>();
    private final Object progress = new Object();

    /**
     * @param known     the models the cluster knows (a record of one not created here yet waits for it)
     * @param positions hears where each run of a model's records starts
     * @param reseed    starts a model again from its snapshot in the cluster, when the log no longer
     *                  holds the records after this instance's copy (null when the cluster has no snapshot of it)
     * @param instance  this instance's static id: the events it scored itself are in its store already
     */
    LogFollower(ClusterSettings settings, String bootstrap, Models models, Supplier<java.util.Set<String>> known,
                LogPositions positions, java.util.function.Function<ModelDefinition, ModelWriter> reseed, String instance) {
        super("vigie-cluster-follower", settings.name(), ClusterClients.reader(bootstrap, true, new Properties()));
        this.settings = settings;
        this.positions = positions;
        this.reseed = reseed;
        this.self = instance.getBytes(StandardCharsets.UTF_8);
        this.models = models;
        this.known = known;
        startReading();
    }

    @Override
    void read() throws InterruptedException {
        List<TopicPartition> partitions = new ArrayList<>();
        for (int p = 0; p < settings.partitions(); p++) {
            partitions.add(new TopicPartition(settings.logTopic(), p));
        }
        consumer.assign(partitions);
        consumer.seekToBeginning(partitions); // each model skips what its own log holds already
        while (running()) {
            ConsumerRecords<String, byte[]> records = consumer.poll(POLL);
            for (TopicPartition partition : records.partitions()) {
                follow(records.records(partition));
            }
            synchronized (progress) {
                for (TopicPartition partition : partitions) {
                    followed.put(partition.partition(), consumer.position(partition)); // past transaction markers too
                }
                progress.notifyAll();
            }
        }
    }

    @Override
    String whenStopped() {
        return "the models' log is no longer followed; this instance cannot take models over";
    }

    /**
     * One partition's messages, in order, handed to their models' writers in runs of one model and
     * one kind: consecutive log records, or scored events waiting for their labels.
     */
    private void follow(List<ConsumerRecord<String, byte[]>> messages) throws InterruptedException {
        Run run = null;
        for (ConsumerRecord<String, byte[]> message : messages) {
            Header scored = message.headers().lastHeader(ClusterLog.SCORED);
            Header by = message.headers().lastHeader(ClusterLog.SCORED_BY);
            if (scored != null && by != null && java.util.Arrays.equals(by.value(), self)) {
                continue; // scored here, stored here before it was published (before a restart too)
            }
            long created = ClusterLog.longOf(header(message, ClusterLog.CREATED));
            long seq = scored != null ? -1 : ClusterLog.longOf(header(message, ClusterLog.SEQ));
            if (run != null && !run.continuedBy(message.key(), created, scored != null, seq)) {
                apply(run);
                run = null;
            }
            if (run == null) {
                run = new Run(message.key(), created, scored != null, seq);
                if (scored == null) {
                    positions.record(message.key(), created, seq, message.offset());
                }
            }
            if (scored != null) {
                Header histories = message.headers().lastHeader(ClusterLog.HISTORIES);
                if (histories != null) {
                    run.histories.putAll(ClusterLog.decodeHistories(histories.value())); // a later batch's are newer
                }
                run.scorings.add(new PendingEvents.Scoring(new String(scored.value(), StandardCharsets.UTF_8),
                        ScoredEvent.decode(message.value())));
            } else {
                try {
                    run.records.add(LogRecord.fromBytes(message.value()));
                } catch (IOException e) {
                    throw new IllegalStateException("message " + message.topic() + "/" + message.partition() + "@" + message.offset()
                            + " of the models' log does not read: " + e.getMessage(), e);
                }
            }
        }
        if (run != null) {
            apply(run);
        }
    }

    /** Consecutive messages of one model (one incarnation of its name) and one kind; log records numbered on from {@code firstSeq}. */
    private static final class Run {
        final String model;
        final long created;
        final boolean scored;
        final long firstSeq;
        final List<LogRecord> records = new ArrayList<>();
        final List<PendingEvents.Scoring> scorings = new ArrayList<>();
        final Map<String, double[]> histories = new java.util.HashMap<>();

        Run(String model, long created, boolean scored, long firstSeq) {
            this.model = model;
            this.created = created;
            this.scored = scored;
            this.firstSeq = firstSeq;
        }

        boolean continuedBy(String model, long created, boolean scored, long seq) {
            return this.model.equals(model) && this.created == created && this.scored == scored
                    && (scored || seq == firstSeq + records.size());
        }
    }

    /** Applies a model's records to this instance's copy, waiting for the model's definition if it has not arrived yet. */
    private void apply(Run run) throws InterruptedException {
        String model = run.model;
        long created = run.created;
        ModelWriter writer = models.find(model);
        long deadline = System.currentTimeMillis() + DEFINITION_WAIT_MILLIS;
        while ((writer == null || writer.definition().createdAtMillis() != created) && known.get().contains(model)
                && System.currentTimeMillis() < deadline && running()) {
            Thread.sleep(BUSY_RETRY_MILLIS); // the control topic is read by another thread: its model is on its way
            writer = models.find(model);
        }
        if (writer == null || writer.definition().createdAtMillis() != created) {
            return; // a model deleted since (or an earlier one of the same name): nothing to follow
        }
        int reseeds = 0;
        while (running()) {
            try {
                if (run.scored) {
                    writer.followScored(run.scorings, run.histories).get();
                } else {
                    writer.follow(run.firstSeq, run.records).get();
                }
                return;
            } catch (ExecutionException e) {
                if (e.getCause() instanceof MissingRecordsException missing) {
                    // the log was cut behind a snapshot this copy lacks (it was away): it starts again from that snapshot
                    LOG.info("cluster '{}': {}; starting the model again from its snapshot in the cluster", settings.name(),
                            missing.getMessage());
                    writer = ++reseeds > 3 ? null : reseed.apply(writer.definition()); // a newer snapshot may have come meanwhile
                    if (writer == null) {
                        throw new IllegalStateException("model '" + model + "' lacks records the cluster's log no longer holds, "
                                + "and no snapshot of it in the cluster holds them", missing);
                    }
                    continue;
                }
                if (e.getCause() instanceof ApiProblem problem && (problem.status() == 429 || problem.status() == 503)) {
                    Thread.sleep(BUSY_RETRY_MILLIS); // busy, or its last own commit still in flight while it changes hands
                    continue;
                }
                LOG.error("cluster '{}': model '{}' could not follow its owner's log{}: {}", settings.name(), model,
                        run.scored ? " (scored events)" : " from record " + run.firstSeq, String.valueOf(e.getCause()));
                return;
            }
        }
    }

    private static byte[] header(ConsumerRecord<String, byte[]> record, String name) {
        Header header = record.headers().lastHeader(name);
        if (header == null) {
            throw new IllegalStateException("record " + record.topic() + "/" + record.partition() + "@" + record.offset()
                    + " of the models' log has no '" + name + "' header");
        }
        return header.value();
    }

    /** Waits until each partition was followed up to its offset given; false if that took longer than {@code timeout}. */
    boolean awaitFollowed(Map<Integer, Long> ends, Duration timeout) throws InterruptedException {
        long deadline = System.nanoTime() + timeout.toNanos();
        synchronized (progress) {
            while (ends.entrySet().stream().anyMatch(e -> followed.getOrDefault(e.getKey(), -1L) < e.getValue())) {
                long left = deadline - System.nanoTime();
                if (left <= 0) {
                    return false;
                }
                progress.wait(Math.max(1, left / 1_000_000));
            }
            return true;
        }
    }
}
