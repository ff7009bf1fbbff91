package io.vigie.server.cluster;

import org.apache.kafka.clients.admin.Admin;
import org.apache.kafka.clients.admin.AdminClientConfig;
import org.apache.kafka.clients.admin.ConsumerGroupDescription;
import org.apache.kafka.clients.admin.MemberDescription;
import org.apache.kafka.common.TopicPartition;
import org.apache.kafka.common.utils.Utils;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import java.nio.charset.StandardCharsets;
import java.util.Collection;
import java.util.HashMap;
import java.util.HashSet;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.TimeUnit;

/**
 * Which instance owns which model. A model belongs to one partition of the cluster's input topic
 * (the one Kafka's default partitioner gives its name), and the instance whose consumer holds
 * that partition in the owners' group owns the model: Kafka's group protocol decides, and moves
 * the partitions of an instance that stops or falls silent. This instance learns of its own
 * partitions from its consumer; of the others', by reading the group's description, whose members
 * are known by their static ids, and the addresses those instances announced.
 */
public final class Ownership implements AutoCloseable {
    private static final Logger LOG = LoggerFactory.getLogger(Ownership.class);
    private static final String CLIENT_PREFIX = "vigie@";
    private final java.util.function.UnaryOperator<String> addressOf;
    private static final long REFRESH_MILLIS = 1_000;

    private final ClusterSettings settings;
    private final String self;
    private final Admin admin;
    private final Thread refresher;
    private final Object changed = new Object();
    private volatile boolean running = true;
    private volatile Set<Integer> owned = Set.of();
    private volatile Map<Integer, String> owners = Map.of();

    /** @param addressOf the address an instance announced, by its static membership id (null if none) */
    public Ownership(ClusterSettings settings, String bootstrap, String self, java.util.function.UnaryOperator<String> addressOf) {
        this.settings = settings;
        this.addressOf = addressOf;
        this.self = self;
        this.admin = Admin.create(Map.of(AdminClientConfig.BOOTSTRAP_SERVERS_CONFIG, bootstrap));
        this.refresher = new Thread(this::refreshForever, "vigie-cluster-owners");
        refresher.setDaemon(true);
        refresher.start();
    }

    /** The client id this instance's consumer joins the owners' group with: the address, for whoever reads the group. */
    public String clientId() {
        return CLIENT_PREFIX + self;
    }

    /** This instance's address, as the others forward to it. */
    public String self() {
        return self;
    }

    /** The partition a model's records and ownership go with: Kafka's default partitioner on the model's name. */
    public static int partition(String model, int partitions) {
        return Utils.toPositive(Utils.murmur2(model.getBytes(StandardCharsets.UTF_8))) % partitions;
    }

    /** The partitions of the input topic this instance holds now. */
    public Set<Integer> owned() {
        return owned;
    }

    /** Whether this instance owns the model now. */
    public boolean owns(String model) {
        return owned.contains(partition(model, settings.partitions()));
    }

    /** The address of the model's owner, or null while it has none (its partition is moving). */
    public String owner(String model) {
        int partition = partition(model, settings.partitions());
        if (owned.contains(partition)) {
            return self;
        }
        String other = owners.get(partition);
        return self.equals(other) ? null : other; // the group's description may lag behind a revocation
    }

    /** The addresses of the instances that own partitions now, this one included if it owns any. */
    public Set<String> instances() {
        Set<String> all = new HashSet<>(owners.values());
        if (!owned.isEmpty()) {
            all.add(self);
        }
        all.remove(null);
        return all;
    }

    /** Called by the owners' consumer: the partitions it holds now. */
    public void assigned(Collection<TopicPartition> partitions) {
        Set<Integer> now = new HashSet<>(owned);
        partitions.forEach(p -> now.add(p.partition()));
        owned = Set.copyOf(now);
        LOG.info("cluster '{}': this instance ({}) owns partitions {}", settings.name(), self, new java.util.TreeSet<>(now));
        refreshSoon();
    }

    /** Called by the owners' consumer: partitions it no longer holds (revoked, or lost). */
    public void revoked(Collection<TopicPartition> partitions) {
        Set<Integer> now = new HashSet<>(owned);
        partitions.forEach(p -> now.remove(p.partition()));
        owned = Set.copyOf(now);
        refreshSoon();
    }

    private void refreshSoon() {
        synchronized (changed) {
            changed.notifyAll();
        }
    }

    private void refreshForever() {
        while (running) {
            try {
                refresh();
            } catch (Exception e) {
                if (running) {
                    LOG.debug("cluster '{}': cannot describe the owners' group yet: {}", settings.name(), e.toString());
                }
            }
            synchronized (changed) {
                try {
                    changed.wait(REFRESH_MILLIS);
                } catch (InterruptedException e) {
                    return;
                }
            }
        }
    }

    /** Reads who holds which partition from the owners' group. */
    void refresh() throws Exception {
        ConsumerGroupDescription group = admin.describeConsumerGroups(java.util.List.of(settings.ownersGroup()))
                .describedGroups().get(settings.ownersGroup()).get(10, TimeUnit.SECONDS);
        Map<Integer, String> found = new HashMap<>();
        for (MemberDescription member : group.members()) {
            // by static id: a static member that comes back keeps the client id it first joined with
            String address = member.groupInstanceId().map(addressOf).orElse(null);
            if (address == null) {
                continue;
            }
            for (TopicPartition partition : member.assignment().topicPartitions()) {
                if (partition.topic().equals(settings.inputTopic())) {
                    found.put(partition.partition(), address);
                }
            }
        }
        owners = Map.copyOf(found);
    }

    @Override
    public void close() throws InterruptedException {
        running = false;
        refresher.interrupt();
        refresher.join(5_000);
        admin.close(java.time.Duration.ofSeconds(5));
    }
}
