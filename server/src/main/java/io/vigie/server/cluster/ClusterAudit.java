package io.vigie.server.cluster;

import io.vertx.core.json.JsonObject;
import io.vigie.server.audit.Audit;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.clients.producer.KafkaProducer;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.apache.kafka.common.TopicPartition;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Properties;
import java.util.concurrent.TimeUnit;

/**
 * The cluster's audit log: topic {@code NAME.audit}, one partition kept whole, one entry per
 * change made through any instance, in the order Kafka took them. An entry's number is its offset
 * plus one; each names the instance that recorded it. A change is answered once its entry is in
 * Kafka and read back here, so every instance lists the same entries under the same numbers.
 */
final class ClusterAudit extends TopicReader<String, byte[]> implements Audit {
    private static final long WAIT_SECONDS = 30;

    private final ClusterSettings settings;
    private final String instance;
    private final Clock clock;
    private final KafkaProducer<String, byte[]> producer;
    /** Every entry read so far, in order (numbered by offset: the topic's start is its first when it is kept whole). */
    private final List<JsonObject> entries = new ArrayList<>();

    private ClusterAudit(ClusterSettings settings, String bootstrap, String instance, Clock clock) {
        super("vigie-cluster-audit", settings.name(), ClusterClients.reader(bootstrap, false, new Properties()));
        this.settings = settings;
        this.instance = instance;
        this.clock = clock;
        this.producer = ClusterClients.producer(bootstrap);
    }

    /** Reads the whole audit topic, then follows it. */
    static ClusterAudit start(ClusterSettings settings, String bootstrap, String instance, Clock clock) throws InterruptedException {
        ClusterAudit audit = new ClusterAudit(settings, bootstrap, instance, clock);
        TopicPartition partition = new TopicPartition(settings.auditTopic(), 0);
        audit.consumer.assign(List.of(partition));
        audit.consumer.seekToBeginning(List.of(partition));
        long end = audit.consumer.endOffsets(List.of(partition)).get(partition);
        while (audit.consumer.position(partition) < end) {
            audit.poll();
        }
        audit.startReading();
        return audit;
    }

    @Override
    void read() {
        while (running()) {
            poll();
        }
    }

    @Override
    String whenStopped() {
        return "the audit topic is no longer read; changes are refused here";
    }

    private void poll() {
        for (ConsumerRecord<String, byte[]> record : consumer.poll(Duration.ofMillis(200))) {
            JsonObject entry = new JsonObject(new String(record.value(), StandardCharsets.UTF_8));
            synchronized (entries) {
                entries.add(new JsonObject().put("seq", record.offset() + 1).mergeIn(entry));
                entries.notifyAll();
            }
        }
    }

    @Override
    public JsonObject append(String keyId, String role, String action, String model, JsonObject details) throws IOException {
        if (stoppedBy() != null) {
            throw new IOException("the cluster's audit topic is no longer read here (" + stoppedBy() + ")");
        }
        JsonObject entry = new JsonObject()
                .put("at", Instant.ofEpochMilli(clock.millis()).toString())
                .put("key_id", keyId)
                .put("role", role)
                .put("action", action)
                .put("model", model)
                .put("details", details)
                .put("instance", instance);
        try {
            long offset = producer.send(new ProducerRecord<>(settings.auditTopic(), 0, action,
                    entry.encode().getBytes(StandardCharsets.UTF_8))).get(WAIT_SECONDS, TimeUnit.SECONDS).offset();
            long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(WAIT_SECONDS);
            synchronized (entries) {
                while (entries.isEmpty() || entries.get(entries.size() - 1).getLong("seq") <= offset) { // read back: listed from now on
                    long left = deadline - System.nanoTime();
                    if (left <= 0) {
                        throw new IOException("the entry was recorded but not read back within " + WAIT_SECONDS + " s");
                    }
                    entries.wait(Math.max(1, left / 1_000_000));
                }
                return entries.get(firstAfter(offset));
            }
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new IOException("interrupted while recording the change", e);
        } catch (java.util.concurrent.ExecutionException | java.util.concurrent.TimeoutException e) {
            throw new IOException("the cluster's audit topic did not take the entry: " + e, e);
        }
    }

    @Override
    public List<JsonObject> after(long seq, int limit) {
        synchronized (entries) {
            int from = firstAfter(seq);
            return List.copyOf(entries.subList(from, Math.min(entries.size(), from + limit)));
        }
    }

    /** The index of the first entry numbered above {@code seq} (the size if none is). */
    private int firstAfter(long seq) {
        int low = 0;
        int high = entries.size();
        while (low < high) {
            int middle = (low + high) >>> 1;
            if (entries.get(middle).getLong("seq") <= seq) {
                low = middle + 1;
            } else {
                high = middle;
            }
        }
        return low;
    }

    @Override
    public void close() throws InterruptedException {
        super.close();
        producer.close(Duration.ofSeconds(5)); // here, not as the reader stops: appends may still be on their way
    }
}
