package io.vigie.server.cluster;

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

import java.util.Collection;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;

/**
 * This instance as a member of a cluster: the cluster's topics (made if missing), its model
 * definitions ({@link ControlTopic}), who owns which model ({@link Ownership}), and the move of the
 * feed's records to the owners ({@link Repartition}). The ingest joins the owners' group through
 * {@link #membership()}.
 */
public final class Cluster implements AutoCloseable {
    private final ClusterSettings settings;
    private final Ownership ownership;
    private final ControlTopic control;
    private final Repartition repartition;

    private Cluster(ClusterSettings settings, Ownership ownership, ControlTopic control, Repartition repartition) {
        this.settings = settings;
        this.ownership = ownership;
        this.control = control;
        this.repartition = repartition;
    }

    /**
     * Joins: makes the cluster's topics if they are missing, reads its model definitions and makes
     * this instance's models match them, and starts moving the feed to the owners.
     *
     * @param self this instance's address for the others ({@code host:port})
     */
    public static Cluster join(ClusterSettings settings, KafkaSettings kafka, Models models, DefinitionFormat format, String self)
            throws Exception {
        ensureTopics(settings, kafka.bootstrap());
        Ownership ownership = new Ownership(settings, kafka.bootstrap(), self);
        ControlTopic control;
        try {
            control = ControlTopic.start(settings, kafka.bootstrap(), models, format);
        } catch (RuntimeException | InterruptedException e) {
            ownership.close();
            throw e;
        }
        return new Cluster(settings, ownership, control, Repartition.start(settings, kafka));
    }

    /** The control topic (one partition, compacted) and the input topic (the configured partitions); an input topic of another size is refused. */
    static void ensureTopics(ClusterSettings settings, String bootstrap) throws Exception {
        try (Admin admin = Admin.create(Map.of(AdminClientConfig.BOOTSTRAP_SERVERS_CONFIG, bootstrap))) {
            NewTopic control = new NewTopic(settings.controlTopic(), Optional.of(1), Optional.empty())
                    .configs(Map.of(TopicConfig.CLEANUP_POLICY_CONFIG, TopicConfig.CLEANUP_POLICY_COMPACT));
            NewTopic input = new NewTopic(settings.inputTopic(), Optional.of(settings.partitions()), Optional.empty());
            for (NewTopic topic : List.of(control, input)) {
                try {
                    admin.createTopics(List.of(topic)).all().get(30, TimeUnit.SECONDS);
                } catch (ExecutionException e) {
                    if (!(e.getCause() instanceof TopicExistsException)) {
                        throw e;
                    }
                }
            }
            int partitions = partitionsOf(admin, settings.inputTopic());
            if (partitions != settings.partitions()) {
                throw new IllegalStateException("cluster '" + settings.name() + "': topic '" + settings.inputTopic() + "' has "
                        + partitions + " partitions but this instance is configured with " + settings.partitions()
                        + " (cluster.partitions): every instance of a cluster must agree, since a model's partition follows from it");
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
                        ownership.revoked(partitions);
                    }

                    @Override
                    public void onPartitionsAssigned(Collection<TopicPartition> partitions) {
                        ownership.assigned(partitions);
                    }

                    @Override
                    public void onPartitionsLost(Collection<TopicPartition> partitions) {
                        ownership.revoked(partitions);
                    }
                });
    }

    public ClusterSettings settings() {
        return settings;
    }

    public Ownership ownership() {
        return ownership;
    }

    /** Model creation and deletion, through the control topic. */
    public ControlTopic control() {
        return control;
    }

    @Override
    public void close() throws InterruptedException {
        repartition.close();
        control.close();
        ownership.close();
    }
}
