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
import java.util.function.Predicate;

/**
 * The versions of the models in Kafka, as their owners keep them: topic {@code NAME.snapshots},
 * compacted, a model's in its partition. A version's snapshot file goes in chunks keyed
 * {@code name@created/version#i}, each with the chunk count, all in one Kafka transaction, so a
 * reader of committed records finds a version whole or not at all; a version its owner no longer
 * keeps is removed by tombstones, so compaction bounds the topic by what the owners keep. An
 * instance that joins starts each model from its newest version here, so the log behind it can be
 * cut, and a copy that must replay a rollback to a version it never had reads it here.
 */
final class SnapshotTopic implements AutoCloseable {
    static final int CHUNK_BYTES = 512 * 1024;
    private static final String CHUNKS = "vigie.chunks";

    /** A version's snapshot file. */
    record Stored(long version, byte[] bytes) {
    }

    /** What a read found: each model's versions (by {@code name@created}) with their chunk counts, and the newest of each, whole. */
    record Contents(Map<String, TreeMap<Long, Integer>> versions, Map<String, Stored> newest) {
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

    /** Publishes a version's snapshot file; returns its chunk count once it is committed. */
    synchronized int publish(ModelDefinition model, long version, byte[] snapshot) {
        int chunks = Math.max(1, (snapshot.length + CHUNK_BYTES - 1) / CHUNK_BYTES);
        transaction(model.name(), model.createdAtMillis(), version, chunks, i -> Arrays.copyOfRange(snapshot, i * CHUNK_BYTES,
                Math.min(snapshot.length, (i + 1) * CHUNK_BYTES)));
        return chunks;
    }

    /** Removes a version of a model ({@code name}, made at {@code created}) that its owner no longer keeps: a tombstone for each chunk. */
    synchronized void remove(String name, long created, long version, int chunks) {
        transaction(name, created, version, chunks, i -> null);
    }

    private void transaction(String name, long created, long version, int chunks, java.util.function.IntFunction<byte[]> chunk) {
        if (producer == null) {
            Properties props = new Properties();
            props.put(ProducerConfig.BOOTSTRAP_SERVERS_CONFIG, bootstrap);
            props.put(ProducerConfig.TRANSACTIONAL_ID_CONFIG, settings.snapshotTopic() + "." + instance);
            props.put(ProducerConfig.MAX_REQUEST_SIZE_CONFIG, 2 * CHUNK_BYTES);
            producer = new KafkaProducer<>(props, new StringSerializer(), new ByteArraySerializer());
            producer.initTransactions();
        }
        int partition = Ownership.partition(name, settings.partitions());
        String prefix = versionKey(LogPositions.key(name, created), version) + "#";
        try {
            producer.beginTransaction();
            for (int i = 0; i < chunks; i++) {
                ProducerRecord<String, byte[]> record = new ProducerRecord<>(settings.snapshotTopic(), partition, prefix + i, chunk.apply(i));
                record.headers().add(CHUNKS, ClusterLog.longBytes(chunks));
                producer.send(record);
            }
            producer.commitTransaction();
        } catch (RuntimeException e) {
            producer.close(Duration.ZERO); // whatever state it is left in, the next transaction opens a fresh one
            producer = null;
            throw e;
        }
    }

    private static String versionKey(String model, long version) {
        return model + "/" + version;
    }

    /** Every model's versions in these partitions, with their chunk counts; no snapshot's bytes are kept. */
    static Map<String, TreeMap<Long, Integer>> versions(ClusterSettings settings, String bootstrap, Collection<Integer> partitions) {
        return read(settings, bootstrap, partitions, key -> true, false).versions();
    }

    /** A model's newest version whole, or null if the topic holds none; the other models' chunks are skipped. */
    static Stored newest(ClusterSettings settings, String bootstrap, ModelDefinition model) {
        String of = LogPositions.key(model.name(), model.createdAtMillis());
        return read(settings, bootstrap, List.of(Ownership.partition(model.name(), settings.partitions())),
                key -> key.startsWith(of + "/"), true).newest().get(of);
    }

    /**
     * The versions of the models whose chunks' {@code keys} pass, and, if {@code whole}, the newest
     * of each with its bytes. Reads the partitions from their start to their committed end, keeping
     * the bytes of the newest versions only.
     */
    private static Contents read(ClusterSettings settings, String bootstrap, Collection<Integer> partitions, Predicate<String> keys,
                                 boolean whole) {
        Map<String, TreeMap<Long, Integer>> versions = new HashMap<>();
        Map<String, TreeMap<Long, TreeMap<Integer, byte[]>>> kept = new HashMap<>(); // the newest version's chunks seen so far
        scan(settings, bootstrap, partitions, keys, (key, record) -> {
            ChunkKey chunk = ChunkKey.parse(key);
            if (record.value() == null) {
                TreeMap<Long, Integer> of = versions.get(chunk.model());
                if (of != null) {
                    of.remove(chunk.version());
                }
                TreeMap<Long, TreeMap<Integer, byte[]>> chunks = kept.get(chunk.model());
                if (chunks != null) {
                    chunks.remove(chunk.version());
                }
                return;
            }
            versions.computeIfAbsent(chunk.model(), m -> new TreeMap<>()).put(chunk.version(), (int) chunksOf(record));
            if (!whole) {
                return;
            }
            TreeMap<Long, TreeMap<Integer, byte[]>> chunks = kept.computeIfAbsent(chunk.model(), m -> new TreeMap<>());
            chunks.computeIfAbsent(chunk.version(), v -> new TreeMap<>()).put(chunk.index(), record.value());
            chunks.headMap(versions.get(chunk.model()).lastKey(), false).clear(); // versions come newest last: memory for one each
        });
        Map<String, Stored> newest = new HashMap<>();
        kept.forEach((model, byVersion) -> byVersion.forEach((version, chunks) -> {
            Integer count = versions.getOrDefault(model, new TreeMap<>()).get(version);
            if (count != null && count == chunks.size()) {
                newest.put(model, new Stored(version, join(chunks)));
            }
        }));
        return new Contents(versions, newest);
    }

    /** One version of a model ({@code name@created}), whole, or null if the topic does not hold it. */
    static byte[] readVersion(ClusterSettings settings, String bootstrap, ModelDefinition model, long version) {
        String prefix = versionKey(LogPositions.key(model.name(), model.createdAtMillis()), version) + "#";
        TreeMap<Integer, byte[]> chunks = new TreeMap<>();
        long[] count = {-1};
        scan(settings, bootstrap, List.of(Ownership.partition(model.name(), settings.partitions())), key -> key.startsWith(prefix),
                (key, record) -> {
                    int index = ChunkKey.parse(key).index();
                    if (record.value() == null) {
                        chunks.remove(index);
                    } else {
                        chunks.put(index, record.value());
                        count[0] = chunksOf(record);
                    }
                });
        return count[0] > 0 && chunks.size() == count[0] ? join(chunks) : null;
    }

    /** A chunk's key: the model ({@code name@created}), the version and the chunk's index. */
    private record ChunkKey(String model, long version, int index) {
        static ChunkKey parse(String key) {
            int slash = key.lastIndexOf('/');
            int hash = key.lastIndexOf('#');
            return new ChunkKey(key.substring(0, slash), Long.parseLong(key.substring(slash + 1, hash)),
                    Integer.parseInt(key.substring(hash + 1)));
        }
    }

    /** Hands every committed record of the partitions whose key passes, in order, to {@code each}. */
    private static void scan(ClusterSettings settings, String bootstrap, Collection<Integer> partitions, Predicate<String> keys,
                             java.util.function.BiConsumer<String, ConsumerRecord<String, byte[]>> each) {
        Properties fetch = new Properties();
        fetch.put(ConsumerConfig.MAX_PARTITION_FETCH_BYTES_CONFIG, 4 * CHUNK_BYTES);
        try (KafkaConsumer<String, byte[]> consumer = ClusterClients.reader(bootstrap, true, fetch)) {
            List<TopicPartition> assigned = partitions.stream().map(p -> new TopicPartition(settings.snapshotTopic(), p)).toList();
            consumer.assign(assigned);
            consumer.seekToBeginning(assigned);
            Map<TopicPartition, Long> ends = consumer.endOffsets(assigned); // read_committed: the last stable offsets
            while (assigned.stream().anyMatch(p -> consumer.position(p) < ends.get(p))) {
                for (ConsumerRecord<String, byte[]> record : consumer.poll(Duration.ofMillis(200))) {
                    if (record.key() != null && keys.test(record.key())) {
                        each.accept(record.key(), record);
                    }
                }
            }
        }
    }

    private static long chunksOf(ConsumerRecord<String, byte[]> record) {
        Header header = record.headers().lastHeader(CHUNKS);
        if (header == null) {
            throw new IllegalStateException("snapshot chunk " + record.key() + " has no '" + CHUNKS + "' header");
        }
        return ClusterLog.longOf(header.value());
    }

    private static byte[] join(TreeMap<Integer, byte[]> chunks) {
        ByteArrayOutputStream bytes = new ByteArrayOutputStream();
        chunks.values().forEach(bytes::writeBytes);
        return bytes.toByteArray();
    }

    @Override
    public synchronized void close() {
        if (producer != null) {
            producer.close(Duration.ofSeconds(5));
        }
    }
}
