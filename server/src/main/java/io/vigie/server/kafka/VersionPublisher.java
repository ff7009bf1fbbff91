package io.vigie.server.kafka;

import io.vertx.core.json.JsonObject;
import io.vigie.server.model.ModelWriter;
import io.vigie.server.model.Models;
import io.vigie.server.store.Versions;
import org.apache.kafka.clients.admin.Admin;
import org.apache.kafka.clients.admin.AdminClientConfig;
import org.apache.kafka.clients.admin.NewTopic;
import org.apache.kafka.clients.producer.KafkaProducer;
import org.apache.kafka.clients.producer.ProducerConfig;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.apache.kafka.clients.producer.RecordMetadata;
import org.apache.kafka.common.config.TopicConfig;
import org.apache.kafka.common.errors.TopicExistsException;
import org.apache.kafka.common.serialization.ByteArraySerializer;
import org.apache.kafka.common.serialization.StringSerializer;

import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Properties;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;
import io.vigie.server.wire.DefinitionJson;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Publishes each model's newest version to the compacted models topic, for serving replicas:
 * the snapshot in chunks keyed {@code model#i} (a version header on each), then a header record
 * keyed by the model with its definition, version, chunk count and signature
 * ({@link VersionSignature}, under the cluster secret). All on partition 0,
 * so a reader that sees a header has already seen its chunks; compaction keeps the latest of
 * each key. Looks for new versions every half second.
 */
public final class VersionPublisher implements AutoCloseable {
    private static final Logger LOG = LoggerFactory.getLogger(VersionPublisher.class);
    static final int CHUNK_BYTES = 512 * 1024;
    static final String VERSION_HEADER = "vigie.version";
    private static final long INTERVAL_MILLIS = 500;

    private final Models models;
    /** Which models this instance publishes (in a cluster, those it owns). */
    private final java.util.function.Predicate<String> publishes;
    private final VersionSignature signature;
    private final String topic;
    private final KafkaProducer<String, byte[]> producer;
    private final Map<String, Long> published = new HashMap<>();
    private final Thread thread;
    private volatile boolean running = true;

    private VersionPublisher(KafkaSettings settings, Models models, java.util.function.Predicate<String> publishes) {
        this.models = models;
        this.publishes = publishes;
        this.signature = new VersionSignature(settings.secret());
        this.topic = settings.topic(Topic.MODELS);
        Properties props = new Properties();
        props.put(ProducerConfig.BOOTSTRAP_SERVERS_CONFIG, settings.bootstrap());
        props.put(ProducerConfig.ENABLE_IDEMPOTENCE_CONFIG, true);
        props.put(ProducerConfig.ACKS_CONFIG, "all");
        props.put(ProducerConfig.MAX_REQUEST_SIZE_CONFIG, 2 * CHUNK_BYTES);
        this.producer = new KafkaProducer<>(props, new StringSerializer(), new ByteArraySerializer());
        this.thread = new Thread(this::run, "vigie-version-publisher");
        thread.setDaemon(true);
    }

    /** @param publishes which models, by name, this instance publishes the versions of */
    public static VersionPublisher start(KafkaSettings settings, Models models, java.util.function.Predicate<String> publishes) {
        createCompacted(settings);
        VersionPublisher publisher = new VersionPublisher(settings, models, publishes);
        publisher.thread.start();
        return publisher;
    }

    /** The models topic is compacted: a replica reading it from the start finds each model's latest version. */
    private static void createCompacted(KafkaSettings settings) {
        try (Admin admin = Admin.create(Map.of(AdminClientConfig.BOOTSTRAP_SERVERS_CONFIG, settings.bootstrap()))) {
            admin.createTopics(List.of(new NewTopic(settings.topic(Topic.MODELS), Optional.of(1), Optional.empty())
                    .configs(Map.of(TopicConfig.CLEANUP_POLICY_CONFIG, TopicConfig.CLEANUP_POLICY_COMPACT))))
                    .all().get(60, TimeUnit.SECONDS);
        } catch (ExecutionException e) {
            if (!(e.getCause() instanceof TopicExistsException)) {
                LOG.error("cannot create the models topic {}: {}", settings.topic(Topic.MODELS), e.getCause().toString());
            }
        } catch (Exception e) {
            LOG.error("cannot create the models topic {}: {}", settings.topic(Topic.MODELS), e.toString());
        }
    }

    private void run() {
        while (running) {
            try {
                publishNewVersions();
            } catch (RuntimeException e) {
                LOG.warn("publishing model versions failed, will retry: {}", e.toString());
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
            List<Versions.Version> versions = writer.versions();
            String model = writer.definition().name();
            if (versions.isEmpty() || !publishes.test(model)) {
                continue;
            }
            long newest = versions.get(versions.size() - 1).version();
            if (published.getOrDefault(model, -1L) == newest) {
                continue;
            }
            byte[] snapshot = writer.snapshotBytes(newest);
            List<Future<RecordMetadata>> sent = new ArrayList<>();
            int chunks = Math.max(1, (snapshot.length + CHUNK_BYTES - 1) / CHUNK_BYTES);
            for (int i = 0; i < chunks; i++) {
                byte[] chunk = java.util.Arrays.copyOfRange(snapshot, i * CHUNK_BYTES, Math.min(snapshot.length, (i + 1) * CHUNK_BYTES));
                ProducerRecord<String, byte[]> record = new ProducerRecord<>(topic, 0, model + "#" + i, chunk);
                record.headers().add(VERSION_HEADER, Long.toString(newest).getBytes(StandardCharsets.UTF_8));
                sent.add(producer.send(record));
            }
            String definition = DefinitionJson.write(writer.definition()).encode();
            JsonObject header = new JsonObject().put("model", model).put("definition", definition)
                    .put("version", newest).put("chunks", chunks).put("bytes", snapshot.length)
                    .put("signature", signature.sign(model, newest, definition, snapshot));
            sent.add(producer.send(new ProducerRecord<>(topic, 0, model, header.toBuffer().getBytes())));
            producer.flush();
            for (Future<RecordMetadata> send : sent) {
                try {
                    send.get();
                } catch (ExecutionException | InterruptedException e) {
                    throw new IllegalStateException("version " + newest + " of '" + model + "' not published: " + e, e);
                }
            }
            published.put(model, newest);
        }
    }

    @Override
    public void close() throws InterruptedException {
        running = false;
        thread.interrupt();
        thread.join(10_000);
        producer.close();
    }
}
