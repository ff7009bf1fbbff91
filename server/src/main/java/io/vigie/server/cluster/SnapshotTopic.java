package io.vigie.server.cluster;

import io.vigie.server.model.ModelDefinition;
import org.apache.kafka.clients.consumer.ConsumerConfig;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.clients.consumer.KafkaConsumer;
import org.apache.kafka.clients.producer.KafkaProducer;
import org.apache.kafka.clients.producer.ProducerConfig;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.apache.kafka.common.TopicPartition;
import org.apache.kafka.common.header.Header;
import org.apache.kafka.common.serialization.ByteArraySerializer;
import org.apache.kafka.common.serialization.StringSerializer;

import java.io.ByteArrayOutputStream;
import java.time.Duration;
import java.util.Arrays;
import java.util.Collection;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Properties;
import java.util.TreeMap;

/**
 * The models' newest snapshots in Kafka: topic {@code NAME.snapshots}, compacted, a model's in its
 * partition. A snapshot goes in chunks keyed {@code name@created#i}, each with the version and the
 * chunk count, all of one version in one Kafka transaction, so a reader of committed records finds
 * a version whole or not at all; compaction keeps the latest of each chunk. An instance that
 * joins starts each model from its snapshot here, so the log behind it can be cut.
 */
final class SnapshotTopic implements AutoCloseable {
    static final int CHUNK_BYTES = 512 * 1024;
    private static final String VERSION = "vigie.version";
    private static final String CHUNKS = "vigie.chunks";

    /** A model's newest snapshot in the topic: the version and the snapshot file's bytes. */
    record Stored(long version, byte[] bytes) {
    }

    private final ClusterSettings settings;
    private final String bootstrap;
    private final String instance;
    private KafkaProducer<String, byte[]> producer;

    /** @param instance this instance's static id: its producer's transactional id is named after it */
    SnapshotTopic(ClusterSettings settings, String bootstrap, String instance) {
        this.settings = settings;
        this.bootstrap = bootstrap;
        this.instance = instance;
    }

    /** Publishes a version's snapshot file and returns once it is committed. */
    synchronized void publish(ModelDefinition model, long version, byte[] snapshot) {
        if (producer == null) {
            Properties props = new Properties();
            props.put(ProducerConfig.BOOTSTRAP_SERVERS_CONFIG, bootstrap);
            props.put(ProducerConfig.TRANSACTIONAL_ID_CONFIG, settings.snapshotTopic() + "." + instance);
            props.put(ProducerConfig.MAX_REQUEST_SIZE_CONFIG, 2 * CHUNK_BYTES);
            producer = new KafkaProducer<>(props, new StringSerializer(), new ByteArraySerializer());
            producer.initTransactions();
        }
        int partition = Ownership.partition(model.name(), settings.partitions());
        String prefix = LogPositions.key(model.name(), model.createdAtMillis()) + "#";
        int chunks = Math.max(1, (snapshot.length + CHUNK_BYTES - 1) / CHUNK_BYTES);
        try {
            producer.beginTransaction();
            for (int i = 0; i < chunks; i++) {
                ProducerRecord<String, byte[]> chunk = new ProducerRecord<>(settings.snapshotTopic(), partition, prefix + i,
                        Arrays.copyOfRange(snapshot, i * CHUNK_BYTES, Math.min(snapshot.length, (i + 1) * CHUNK_BYTES)));
                chunk.headers().add(VERSION, ClusterLog.longBytes(version)).add(CHUNKS, ClusterLog.longBytes(chunks));
                producer.send(chunk);
            }
            producer.commitTransaction();
        } catch (RuntimeException e) {
            producer.close(Duration.ZERO); // whatever state it is left in, the next publication opens a fresh one
            producer = null;
            throw e;
        }
    }

    /**
     * The newest whole snapshot of every model whose chunks are in these partitions, by
     * {@code name@created}. Reads the partitions from their start to their committed end.
     */
    static Map<String, Stored> read(ClusterSettings settings, String bootstrap, Collection<Integer> partitions) {
        Properties fetch = new Properties();
        fetch.put(ConsumerConfig.MAX_PARTITION_FETCH_BYTES_CONFIG, 4 * CHUNK_BYTES);
        Map<String, ConsumerRecord<String, byte[]>> latest = new HashMap<>(); // by chunk key: compaction's view
        try (KafkaConsumer<String, byte[]> consumer = ClusterClients.reader(bootstrap, true, fetch)) {
            List<TopicPartition> assigned = partitions.stream().map(p -> new TopicPartition(settings.snapshotTopic(), p)).toList();
            consumer.assign(assigned);
            consumer.seekToBeginning(assigned);
            Map<TopicPartition, Long> ends = consumer.endOffsets(assigned); // read_committed: the last stable offsets
            while (assigned.stream().anyMatch(p -> consumer.position(p) < ends.get(p))) {
                for (ConsumerRecord<String, byte[]> record : consumer.poll(Duration.ofMillis(200))) {
                    if (record.value() == null) {
                        latest.remove(record.key());
                    } else {
                        latest.put(record.key(), record);
                    }
                }
            }
        }
        return assemble(latest);
    }

    /** Each model's chunks put together, if all of its newest version are there. */
    private static Map<String, Stored> assemble(Map<String, ConsumerRecord<String, byte[]>> chunks) {
        Map<String, TreeMap<Integer, ConsumerRecord<String, byte[]>>> byModel = new HashMap<>();
        chunks.forEach((key, record) -> {
            int hash = key.lastIndexOf('#');
            byModel.computeIfAbsent(key.substring(0, hash), k -> new TreeMap<>()).put(Integer.parseInt(key.substring(hash + 1)), record);
        });
        Map<String, Stored> stored = new HashMap<>();
        byModel.forEach((model, parts) -> {
            ConsumerRecord<String, byte[]> first = parts.get(0);
            if (first == null) {
                return;
            }
            long version = ClusterLog.longOf(header(first, VERSION));
            long count = ClusterLog.longOf(header(first, CHUNKS));
            ByteArrayOutputStream bytes = new ByteArrayOutputStream();
            for (int i = 0; i < count; i++) {
                ConsumerRecord<String, byte[]> part = parts.get(i);
                if (part == null || ClusterLog.longOf(header(part, VERSION)) != version) {
                    return; // cannot happen with whole transactions; no snapshot rather than a wrong one
                }
                bytes.writeBytes(part.value());
            }
            stored.put(model, new Stored(version, bytes.toByteArray()));
        });
        return stored;
    }

    private static byte[] header(ConsumerRecord<String, byte[]> record, String name) {
        Header header = record.headers().lastHeader(name);
        if (header == null) {
            throw new IllegalStateException("snapshot chunk " + record.key() + " has no '" + name + "' header");
        }
        return header.value();
    }

    @Override
    public synchronized void close() {
        if (producer != null) {
            producer.close(Duration.ofSeconds(5));
        }
    }
}
