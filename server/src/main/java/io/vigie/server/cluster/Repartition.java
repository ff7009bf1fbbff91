package io.vigie.server.cluster;

import io.vertx.core.json.JsonObject;
import io.vigie.server.kafka.KafkaIngest;
import io.vigie.server.kafka.KafkaSettings;
import io.vigie.server.kafka.Topic;
import org.apache.kafka.clients.consumer.ConsumerConfig;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.clients.consumer.ConsumerRecords;
import org.apache.kafka.clients.consumer.KafkaConsumer;
import org.apache.kafka.clients.consumer.OffsetAndMetadata;
import org.apache.kafka.clients.producer.KafkaProducer;
import org.apache.kafka.clients.producer.ProducerConfig;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.apache.kafka.common.KafkaException;
import org.apache.kafka.common.TopicPartition;
import org.apache.kafka.common.errors.AuthorizationException;
import org.apache.kafka.common.errors.ProducerFencedException;
import org.apache.kafka.common.header.internals.RecordHeaders;
import org.apache.kafka.common.serialization.ByteArrayDeserializer;
import org.apache.kafka.common.serialization.ByteArraySerializer;
import org.apache.kafka.common.serialization.StringDeserializer;
import org.apache.kafka.common.serialization.StringSerializer;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Properties;

/**
 * Moves the feed's records (transactions, labels, labelled events, keyed by whatever their
 * producers chose, usually the event id) to the cluster's input topic keyed by their model, so
 * that all of a model's records, in their order, reach its one owner. Exactly once: each batch is
 * written and its source offsets committed in one Kafka transaction, and the owners read only
 * committed records. A record whose model cannot be read is moved all the same (keyed as it came);
 * the owner of the partition it lands on sends it to the dead letters with the reason.
 */
public final class Repartition extends TopicReader<String, byte[]> {
    private static final Logger LOG = LoggerFactory.getLogger(Repartition.class);
    /** The header naming where a moved record came from: {@code topic/partition@offset}. */
    public static final String SOURCE = "vigie.source";
    private static final Duration POLL = Duration.ofMillis(100);
    private static final long MAX_BACKOFF_MILLIS = 5_000;

    private final ClusterSettings cluster;
    private final Map<String, String> kinds = new HashMap<>(); // feed topic name -> its key
    private final KafkaProducer<String, byte[]> producer;

    private Repartition(ClusterSettings cluster, KafkaSettings kafka) {
        super("vigie-cluster-repartition", cluster.name(), feedReader(cluster, kafka));
        this.cluster = cluster;
        for (Topic feed : List.of(Topic.TRANSACTIONS, Topic.LABELS, Topic.EVENTS)) {
            kinds.put(kafka.topic(feed), feed.key());
        }
        Properties producerProps = new Properties();
        producerProps.put(ProducerConfig.BOOTSTRAP_SERVERS_CONFIG, kafka.bootstrap());
        producerProps.put(ProducerConfig.TRANSACTIONAL_ID_CONFIG, cluster.repartitionGroup() + "." + kafka.instance());
        producerProps.put(ProducerConfig.LINGER_MS_CONFIG, 1);
        this.producer = new KafkaProducer<>(producerProps, new StringSerializer(), new ByteArraySerializer());
    }

    /** The feed's reader: the instances share its group, and read only what producers committed. */
    private static KafkaConsumer<String, byte[]> feedReader(ClusterSettings cluster, KafkaSettings kafka) {
        Properties props = new Properties();
        props.put(ConsumerConfig.BOOTSTRAP_SERVERS_CONFIG, kafka.bootstrap());
        props.put(ConsumerConfig.GROUP_ID_CONFIG, cluster.repartitionGroup());
        props.put(ConsumerConfig.ENABLE_AUTO_COMMIT_CONFIG, false);
        props.put(ConsumerConfig.AUTO_OFFSET_RESET_CONFIG, "earliest");
        props.put(ConsumerConfig.ISOLATION_LEVEL_CONFIG, "read_committed");
        props.put(ConsumerConfig.MAX_POLL_RECORDS_CONFIG, kafka.maxPollRecords());
        return new KafkaConsumer<>(props, new StringDeserializer(), new ByteArrayDeserializer());
    }

    public static Repartition start(ClusterSettings cluster, KafkaSettings kafka) {
        Repartition repartition = new Repartition(cluster, kafka);
        repartition.startReading();
        return repartition;
    }

    /** Moves what the feed holds until closed; what was not committed when it closes is moved by the next reader. */
    @Override
    void read() throws InterruptedException {
        long backoff = 0;
        producer.initTransactions();
        consumer.subscribe(List.copyOf(kinds.keySet()));
        while (running()) {
            if (backoff > 0) {
                Thread.sleep(backoff);
            }
            ConsumerRecords<String, byte[]> records = consumer.poll(POLL);
            if (records.isEmpty()) {
                continue;
            }
            try {
                move(records);
                backoff = 0;
            } catch (ProducerFencedException | AuthorizationException e) {
                throw e; // another instance took this one's transactional id, or no rights: cannot go on
            } catch (KafkaException e) {
                producer.abortTransaction();
                rewind(records);
                backoff = Math.min(MAX_BACKOFF_MILLIS, Math.max(200, backoff * 2));
                LOG.warn("cluster '{}': records not moved to '{}', read again in {} ms: {}", cluster.name(),
                        cluster.inputTopic(), backoff, e.toString());
            }
        }
    }

    @Override
    String whenStopped() {
        return "this instance no longer moves feed records to '" + cluster.inputTopic() + "'";
    }

    @Override
    void release() {
        super.release();
        producer.close(Duration.ofSeconds(5));
    }

    private void move(ConsumerRecords<String, byte[]> records) {
        producer.beginTransaction();
        Map<TopicPartition, OffsetAndMetadata> next = new HashMap<>();
        for (ConsumerRecord<String, byte[]> record : records) {
            RecordHeaders headers = new RecordHeaders();
            headers.add(KafkaIngest.FEED, kinds.get(record.topic()).getBytes(StandardCharsets.UTF_8));
            headers.add(SOURCE, (record.topic() + "/" + record.partition() + "@" + record.offset()).getBytes(StandardCharsets.UTF_8));
            String model = modelOf(record.value());
            producer.send(new ProducerRecord<>(cluster.inputTopic(), null, record.timestamp(), model != null ? model : record.key(),
                    record.value(), headers));
            next.put(new TopicPartition(record.topic(), record.partition()), new OffsetAndMetadata(record.offset() + 1));
        }
        producer.sendOffsetsToTransaction(next, consumer.groupMetadata());
        producer.commitTransaction();
    }

    /** The model a feed record names, or null if it names none readably. */
    static String modelOf(byte[] value) {
        if (value == null) {
            return null;
        }
        try {
            return new JsonObject(io.vertx.core.buffer.Buffer.buffer(value)).getValue("model") instanceof String model ? model : null;
        } catch (RuntimeException unreadable) {
            return null;
        }
    }

    /** After an aborted batch: back to the committed offsets of its partitions. */
    private void rewind(ConsumerRecords<String, byte[]> records) {
        Map<TopicPartition, OffsetAndMetadata> committed = consumer.committed(records.partitions());
        for (TopicPartition partition : records.partitions()) {
            OffsetAndMetadata at = committed.get(partition);
            if (at == null) {
                consumer.seekToBeginning(List.of(partition));
            } else {
                consumer.seek(partition, at.offset());
            }
        }
    }
}
