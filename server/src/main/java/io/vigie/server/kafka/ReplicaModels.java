package io.vigie.server.kafka;

import io.vertx.core.json.JsonObject;
import io.vigie.learner.Model;
import io.vigie.learner.Snapshots;
import io.vigie.server.model.ModelDefinition;
import org.apache.kafka.clients.consumer.ConsumerConfig;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.clients.consumer.KafkaConsumer;
import org.apache.kafka.common.PartitionInfo;
import org.apache.kafka.common.TopicPartition;
import org.apache.kafka.common.errors.WakeupException;
import org.apache.kafka.common.header.Header;
import org.apache.kafka.common.serialization.ByteArrayDeserializer;
import org.apache.kafka.common.serialization.StringDeserializer;

import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Collection;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Properties;
import java.util.concurrent.ConcurrentHashMap;
import io.vigie.server.wire.DefinitionJson;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * A serving replica's models: it reads the models topic from the start (no consumer group: every
 * replica reads everything), assembles each published version from its chunks, checks its
 * signature under the cluster secret ({@link VersionSignature}) before a byte of it is
 * deserialized, then the snapshot's own checksum, and swaps it in. Predictions are made under the
 * model's lock, since a committee records what it predicts.
 */
public final class ReplicaModels implements AutoCloseable {
    private static final Logger LOG = LoggerFactory.getLogger(ReplicaModels.class);
    /** A model as the replica serves it. */
    public record Served(ModelDefinition definition, Model model, long version) {
    }

    private final KafkaConsumer<String, byte[]> consumer;
    private final String topic;
    private final VersionSignature signature;
    private final Path dir;
    private final Map<String, Served> served = new ConcurrentHashMap<>();
    private final Map<String, byte[]> chunks = new HashMap<>(); // "model#i@version" -> bytes
    private final Thread thread;
    private volatile boolean running = true;

    private ReplicaModels(KafkaSettings settings, Path dataDir) throws IOException {
        this.topic = settings.topic(Topic.MODELS);
        this.signature = new VersionSignature(settings.secret());
        this.dir = Files.createDirectories(dataDir.resolve("replica"));
        Properties props = new Properties();
        props.put(ConsumerConfig.BOOTSTRAP_SERVERS_CONFIG, settings.bootstrap());
        props.put(ConsumerConfig.ENABLE_AUTO_COMMIT_CONFIG, false);
        // the learner creates the topic compacted; one auto-created here would delete old versions
        props.put(ConsumerConfig.ALLOW_AUTO_CREATE_TOPICS_CONFIG, false);
        props.put(ConsumerConfig.MAX_PARTITION_FETCH_BYTES_CONFIG, 4 * VersionPublisher.CHUNK_BYTES);
        this.consumer = new KafkaConsumer<>(props, new StringDeserializer(), new ByteArrayDeserializer());
        this.thread = new Thread(this::run, "vigie-replica-models");
        thread.setDaemon(true);
    }

    public static ReplicaModels start(KafkaSettings settings, Path dataDir) throws IOException {
        ReplicaModels replica = new ReplicaModels(settings, dataDir);
        replica.thread.start();
        return replica;
    }

    /** The model served under this name, or null. */
    public Served get(String name) {
        return served.get(name);
    }

    public Collection<Served> all() {
        return served.values();
    }

    private void run() {
        try {
            List<TopicPartition> partitions = new ArrayList<>();
            while (partitions.isEmpty() && running) {
                for (PartitionInfo p : consumer.partitionsFor(topic, Duration.ofSeconds(30))) {
                    partitions.add(new TopicPartition(p.topic(), p.partition()));
                }
                if (partitions.isEmpty()) {
                    Thread.sleep(500); // no learner has published yet: look again
                }
            }
            consumer.assign(partitions);
            consumer.seekToBeginning(partitions);
            while (running) {
                for (ConsumerRecord<String, byte[]> record : consumer.poll(Duration.ofMillis(200))) {
                    accept(record);
                }
            }
        } catch (WakeupException e) {
            if (running) {
                throw e;
            }
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        } finally {
            consumer.close();
        }
    }

    private void accept(ConsumerRecord<String, byte[]> record) {
        String key = record.key();
        int hash = key == null ? -1 : key.lastIndexOf('#');
        if (hash >= 0) {
            Header version = record.headers().lastHeader(VersionPublisher.VERSION_HEADER);
            if (version != null) {
                chunks.put(key + "@" + new String(version.value(), StandardCharsets.UTF_8), record.value());
            }
            return;
        }
        try {
            JsonObject header = new JsonObject(new String(record.value(), StandardCharsets.UTF_8));
            load(header);
        } catch (RuntimeException | IOException e) {
            LOG.error("replica cannot load a version of '{}': {}", key, e.toString());
        }
    }

    private void load(JsonObject header) throws IOException {
        String model = header.getString("model");
        long version = header.getLong("version");
        Served current = served.get(model);
        if (current != null && current.version() >= version) {
            return;
        }
        ByteArrayOutputStream bytes = new ByteArrayOutputStream();
        for (int i = 0; i < header.getInteger("chunks"); i++) {
            byte[] chunk = chunks.remove(model + "#" + i + "@" + version);
            if (chunk == null) {
                throw new IOException("chunk " + i + " of version " + version + " is missing");
            }
            bytes.write(chunk);
        }
        byte[] snapshot = bytes.toByteArray();
        String definitionText = header.getValue("definition") instanceof String text ? text : null;
        if (definitionText == null || !signature.holds(header.getString("signature"), model, version, definitionText, snapshot)) {
            throw new IOException("version " + version + " is not signed with this cluster's secret: not loaded");
        }
        Path file = dir.resolve(model + ".snapshot");
        Snapshots.save(file, snapshot);
        Model loaded = Snapshots.read(file).model();
        ModelDefinition definition = DefinitionJson.read(new JsonObject(definitionText), System.currentTimeMillis());
        served.put(model, new Served(definition, loaded, version));
        chunks.keySet().removeIf(k -> k.startsWith(model + "#")); // older versions' leftovers
    }

    @Override
    public void close() throws InterruptedException {
        running = false;
        consumer.wakeup();
        thread.join(10_000);
    }
}
