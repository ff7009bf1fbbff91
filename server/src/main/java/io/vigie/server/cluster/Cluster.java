package io.vigie.server.cluster;

import io.vigie.server.audit.Audit;
import io.vigie.server.auth.ApiKeys;
import io.vigie.server.kafka.KafkaSettings;
import io.vigie.server.kafka.Membership;
import io.vigie.server.model.DefinitionFormat;
import io.vigie.server.model.Models;
import org.apache.kafka.clients.admin.Admin;
import org.apache.kafka.clients.admin.AdminClientConfig;
import org.apache.kafka.clients.admin.NewTopic;
import org.apache.kafka.clients.admin.TopicDescription;
import org.apache.kafka.clients.consumer.ConsumerRebalanceListener;
import org.apache.kafka.common.TopicPartition;
import org.apache.kafka.common.config.TopicConfig;
import org.apache.kafka.common.errors.TopicExistsException;
import org.apache.kafka.common.errors.UnknownTopicOrPartitionException;

import org.apache.kafka.clients.admin.ListOffsetsOptions;
import org.apache.kafka.clients.admin.OffsetSpec;
import org.apache.kafka.common.IsolationLevel;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import java.time.Duration;
import java.util.Collection;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.TreeMap;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;

/**
 * This instance as a member of a cluster: the cluster's topics (made if missing), its model
 * definitions ({@link ControlTopic}), who owns which model ({@link Ownership}), and the move of the
 * feed's records to the owners ({@link Repartition}). The ingest joins the owners' group through
 * {@link #membership()}.
 */
public final class Cluster implements AutoCloseable {
    private static final Logger LOG = LoggerFactory.getLogger(Cluster.class);
    /** How long taking a partition over may wait to follow its log to the end (within the consumer's poll interval). */
    private static final Duration TAKEOVER = Duration.ofMinutes(4);

    private final ClusterSettings settings;
    private final Ownership ownership;
    private final ControlTopic control;
    private final ClusterLog log;
    private final LogFollower follower;
    private final Repartition repartition;
    private final SnapshotTopic snapshots;
    private final LogRetention retention;
    private final ClusterAudit audit;
    private final Admin admin;
    /** Partitions this instance holds in the group but could not follow to their end: their models are not owned here. */
    private final java.util.Set<Integer> notTakenOver = java.util.concurrent.ConcurrentHashMap.newKeySet();

    private Cluster(ClusterSettings settings, Ownership ownership, ControlTopic control, ClusterLog log, LogFollower follower,
                    Repartition repartition, SnapshotTopic snapshots, LogRetention retention, ClusterAudit audit, Admin admin) {
        this.settings = settings;
        this.audit = audit;
        this.snapshots = snapshots;
        this.retention = retention;
        this.ownership = ownership;
        this.control = control;
        this.log = log;
        this.follower = follower;
        this.repartition = repartition;
        this.admin = admin;
    }

    /**
     * Joins: makes the cluster's topics if they are missing, reads its model definitions and makes
     * this instance's models match them (a model it lacks starts from its snapshot in the cluster),
     * and starts moving the feed to the owners.
     *
     * @param keys this instance's API keys: the cluster's are added to them, in memory
     * @param self this instance's address for the others ({@code host:port})
     */
    public static Cluster join(ClusterSettings settings, KafkaSettings kafka, Models models, ApiKeys keys, DefinitionFormat format,
                               String self) throws Exception {
        ensureTopics(settings, kafka.bootstrap());
        List<Integer> all = java.util.stream.IntStream.range(0, settings.partitions()).boxed().toList();
        Map<String, TreeMap<Long, Integer>> joined = SnapshotTopic.versions(settings, kafka.bootstrap(), all);
        java.util.concurrent.atomic.AtomicBoolean joining = new java.util.concurrent.atomic.AtomicBoolean(true);
        ControlTopic control = ControlTopic.start(settings, kafka.bootstrap(), models, keys, format, model -> {
            if (!joining.get()) {
                return null; // a model created from here on is new
            }
            SnapshotTopic.Stored newest = SnapshotTopic.newest(settings, kafka.bootstrap(), model); // one in memory at a time
            return newest == null ? null : newest.bytes();
        });
        joining.set(false);
        try {
            control.announce(kafka.instance(), self);
        } catch (Exception e) {
            control.close();
            throw e;
        }
        Ownership ownership = new Ownership(settings, kafka.bootstrap(), self, control::addressOf);
        LogPositions positions = new LogPositions();
        Admin admin = Admin.create(Map.of(AdminClientConfig.BOOTSTRAP_SERVERS_CONFIG, kafka.bootstrap()));
        SnapshotTopic snapshots = new SnapshotTopic(settings, kafka.bootstrap(), kafka.instance());
        LogRetention retention = new LogRetention(settings, models, ownership, control::names, snapshots, positions, admin,
                joined, partitions -> SnapshotTopic.versions(settings, kafka.bootstrap(), partitions),
                java.time.Clock.systemUTC());
        ClusterLog log = new ClusterLog(settings, kafka.bootstrap(), ownership, positions, retention, kafka.instance());
        models.replicateTo(log); // from here on every commit is published first, and only an owner's
        LogFollower follower = new LogFollower(settings, kafka.bootstrap(), models, control::names, positions,
                model -> reseed(settings, kafka.bootstrap(), models, model), kafka.instance());
        ClusterAudit audit = ClusterAudit.start(settings, kafka.bootstrap(), kafka.instance(), java.time.Clock.systemUTC());
        return new Cluster(settings, ownership, control, log, follower, Repartition.start(settings, kafka), snapshots, retention, audit,
                admin);
    }

    /** Starts a model again from its newest snapshot in the cluster (null if it has none). */
    private static io.vigie.server.model.ModelWriter reseed(ClusterSettings settings, String bootstrap, Models models,
                                                             io.vigie.server.model.ModelDefinition model) {
        SnapshotTopic.Stored stored = SnapshotTopic.newest(settings, bootstrap, model);
        return stored == null ? null : models.install(model, stored.bytes());
    }

    /**
     * Takes partitions over: opens their log producers (fencing whoever wrote them before), follows
     * their log to its committed end, and only then owns their models. Until then their requests
     * answer 503 {@code model-moving}.
     */
    private void takeOver(Collection<TopicPartition> partitions) {
        List<Integer> numbers = partitions.stream().map(TopicPartition::partition).toList();
        try {
            log.open(numbers);
            Map<TopicPartition, OffsetSpec> latest = new HashMap<>();
            numbers.forEach(p -> latest.put(new TopicPartition(settings.logTopic(), p), OffsetSpec.latest()));
            Map<Integer, Long> ends = new HashMap<>();
            admin.listOffsets(latest, new ListOffsetsOptions(IsolationLevel.READ_COMMITTED)).all().get(30, TimeUnit.SECONDS)
                    .forEach((partition, info) -> ends.put(partition.partition(), info.offset()));
            if (!follower.awaitFollowed(ends, TAKEOVER)) {
                // owning them from behind would learn from the wrong point: they stay unowned (503) and /health/ready says so
                LOG.error("cluster '{}': partitions {} were not followed to their end within {}; their models are not taken over",
                        settings.name(), numbers, TAKEOVER);
                notTakenOver.addAll(numbers);
                return;
            }
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            notTakenOver.addAll(numbers);
            return;
        } catch (Exception e) {
            LOG.error("cluster '{}': taking partitions {} over failed; their models are not taken over: {}", settings.name(),
                    numbers, e.toString());
            notTakenOver.addAll(numbers);
            return;
        }
        numbers.forEach(notTakenOver::remove);
        ownership.assigned(partitions);
    }

    private void giveUp(Collection<TopicPartition> partitions) {
        partitions.forEach(p -> notTakenOver.remove(p.partition()));
        ownership.revoked(partitions); // first: nothing more is published for them from here
        log.close(partitions.stream().map(TopicPartition::partition).toList());
    }

    /** The control topic (one partition, compacted) and the input topic (the configured partitions); an input topic of another size is refused. */
    static void ensureTopics(ClusterSettings settings, String bootstrap) throws Exception {
        try (Admin admin = Admin.create(Map.of(AdminClientConfig.BOOTSTRAP_SERVERS_CONFIG, bootstrap))) {
            NewTopic control = new NewTopic(settings.controlTopic(), Optional.of(1), Optional.empty())
                    .configs(Map.of(TopicConfig.CLEANUP_POLICY_CONFIG, TopicConfig.CLEANUP_POLICY_COMPACT));
            NewTopic input = new NewTopic(settings.inputTopic(), Optional.of(settings.partitions()), Optional.empty());
            // not cut by time or size: its owners cut it behind the models' snapshots (LogRetention)
            NewTopic log = new NewTopic(settings.logTopic(), Optional.of(settings.partitions()), Optional.empty())
                    .configs(Map.of(TopicConfig.RETENTION_MS_CONFIG, "-1", TopicConfig.RETENTION_BYTES_CONFIG, "-1"));
            NewTopic snapshots = new NewTopic(settings.snapshotTopic(), Optional.of(settings.partitions()), Optional.empty())
                    .configs(Map.of(TopicConfig.CLEANUP_POLICY_CONFIG, TopicConfig.CLEANUP_POLICY_COMPACT));
            NewTopic audit = new NewTopic(settings.auditTopic(), Optional.of(1), Optional.empty())
                    .configs(Map.of(TopicConfig.RETENTION_MS_CONFIG, "-1", TopicConfig.RETENTION_BYTES_CONFIG, "-1"));
            for (NewTopic topic : List.of(control, input, log, snapshots, audit)) {
                try {
                    admin.createTopics(List.of(topic)).all().get(30, TimeUnit.SECONDS);
                } catch (ExecutionException e) {
                    if (!(e.getCause() instanceof TopicExistsException)) {
                        throw e;
                    }
                }
            }
            for (String topic : List.of(settings.inputTopic(), settings.logTopic(), settings.snapshotTopic())) {
                int partitions = partitionsOf(admin, topic);
                if (partitions != settings.partitions()) {
                    throw new IllegalStateException("cluster '" + settings.name() + "': topic '" + topic + "' has " + partitions
                            + " partitions but this instance is configured with " + settings.partitions() + " (cluster.partitions): "
                            + "every instance of a cluster must agree, since a model's partition follows from it");
                }
            }
        }
    }

    private static int partitionsOf(Admin admin, String topic) throws Exception {
        for (int attempt = 0; ; attempt++) { // a topic just made may not be described by every broker yet
            try {
                TopicDescription description = admin.describeTopics(List.of(topic)).allTopicNames().get(30, TimeUnit.SECONDS).get(topic);
                return description.partitions().size();
            } catch (ExecutionException e) {
                if (!(e.getCause() instanceof UnknownTopicOrPartitionException) || attempt == 50) {
                    throw e;
                }
                Thread.sleep(100);
            }
        }
    }

    /** How the ingest joins the owners' group: its partitions are this instance's models. */
    public Membership membership() {
        return new Membership(settings.inputTopic(), settings.ownersGroup(), ownership.clientId(), settings.sessionTimeoutMillis(),
                new ConsumerRebalanceListener() {
                    @Override
                    public void onPartitionsRevoked(Collection<TopicPartition> partitions) {
                        giveUp(partitions);
                    }

                    @Override
                    public void onPartitionsAssigned(Collection<TopicPartition> partitions) {
                        takeOver(partitions);
                    }

                    @Override
                    public void onPartitionsLost(Collection<TopicPartition> partitions) {
                        giveUp(partitions);
                    }
                });
    }

    /**
     * What keeps this instance from doing its part: the cluster's threads that stopped on an error
     * (by name, with the error), and partitions it holds but could not take over. Empty when well.
     */
    public java.util.Map<String, String> problems() {
        java.util.Map<String, String> problems = new java.util.TreeMap<>();
        if (follower.stoppedBy() != null) {
            problems.put("log_follower", follower.stoppedBy());
        }
        if (repartition.stoppedBy() != null) {
            problems.put("repartition", repartition.stoppedBy());
        }
        if (control.stoppedBy() != null) {
            problems.put("control", control.stoppedBy());
        }
        if (audit.stoppedBy() != null) {
            problems.put("audit", audit.stoppedBy());
        }
        if (!notTakenOver.isEmpty()) {
            problems.put("not_taken_over", "partitions " + new java.util.TreeSet<>(notTakenOver)
                    + " were not followed to their end in time; their models are not served here");
        }
        return problems;
    }

    public ClusterSettings settings() {
        return settings;
    }

    public Ownership ownership() {
        return ownership;
    }

    /** The cluster's audit log. */
    public Audit audit() {
        return audit;
    }

    /** Model creation and deletion, and API keys, through the control topic. */
    public ControlTopic control() {
        return control;
    }

    @Override
    public void close() throws InterruptedException {
        audit.close();
        retention.close();
        snapshots.close();
        repartition.close();
        follower.close();
        log.close();
        control.close();
        ownership.close();
        admin.close(Duration.ofSeconds(5));
    }
}
