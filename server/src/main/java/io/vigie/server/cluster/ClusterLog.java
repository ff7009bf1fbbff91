package io.vigie.server.cluster;

import io.vigie.server.ApiProblem;
import io.vigie.server.model.ModelDefinition;
import io.vigie.server.model.ReplicatedLog;
import io.vigie.server.store.LogRecord;
import io.vigie.server.store.PendingEvents;
import org.apache.kafka.clients.producer.KafkaProducer;
import org.apache.kafka.clients.producer.ProducerConfig;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.apache.kafka.common.errors.InvalidProducerEpochException;
import org.apache.kafka.common.errors.ProducerFencedException;
import org.apache.kafka.common.serialization.ByteArraySerializer;
import org.apache.kafka.common.serialization.StringSerializer;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Collection;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.List;
import java.util.Map;
import java.util.Properties;
import java.util.concurrent.ConcurrentHashMap;

/**
 * The models' log in Kafka: topic {@code NAME.log}, a model's records in its partition (the one
 * it is owned by), each keyed by the model and carrying its sequence number and the model's
 * creation time (a model deleted and made again under its name starts a new log). The owner of a
 * partition publishes every commit of its models in one Kafka transaction, before applying it;
 * followers read committed records only. Each partition has one transactional producer, whose id
 * is the partition's: the instance that takes a partition over opens it, which fences the former
 * owner's, so an owner cut off from the cluster can publish nothing more.
 */
public final class ClusterLog implements ReplicatedLog, AutoCloseable {
    private static final Logger LOG = LoggerFactory.getLogger(ClusterLog.class);
    /** The header holding a record's sequence number in its model's log (8 bytes, big-endian). */
    static final String SEQ = "vigie.seq";
    /** The header holding the creation time of the model the record belongs to (8 bytes). */
    static final String CREATED = "vigie.created";
    /** The header of a scored event waiting for its label (not a log record): its id. */
    static final String SCORED = "vigie.scored";
    /** The header naming the instance (its static id) that scored the event: it has the event in its store already. */
    static final String SCORED_BY = "vigie.scored-by";
    /** On the first scored event of a batch: the entities' histories the batch changed ({@link #encode(Map)}). */
    static final String HISTORIES = "vigie.histories";

    private final ClusterSettings settings;
    private final String bootstrap;
    private final Ownership ownership;
    private final LogPositions positions;
    private final LogRetention retention;
    private final byte[] self;
    private final Map<Integer, Writer> writers = new ConcurrentHashMap<>();
    private final ExecutorService flushes = Executors.newCachedThreadPool(r -> {
        Thread t = new Thread(r, "vigie-cluster-log");
        t.setDaemon(true);
        return t;
    });

    /** A message waiting for the partition's next transaction, and who waits for it to be durable. */
    private record Queued(ProducerRecord<String, byte[]> message, CompletableFuture<Void> durable) {
    }

    /**
     * A partition's transactional producer, with the scored events waiting for its next
     * transaction. One transaction at a time: the partition's models take turns, and a commit's
     * transaction carries first whatever scored events were queued before it.
     */
    private static final class Writer {
        final KafkaProducer<String, byte[]> producer;
        final List<Queued> queued = new ArrayList<>();
        /** Closed as its partition was given up (or its producer failed): what comes to it is refused. */
        boolean closed;

        Writer(KafkaProducer<String, byte[]> producer) {
            this.producer = producer;
        }
    }

    /** @param instance this instance's static id, named on the events it scores */
    ClusterLog(ClusterSettings settings, String bootstrap, Ownership ownership, LogPositions positions, LogRetention retention,
               String instance) {
        this.self = instance.getBytes(StandardCharsets.UTF_8);
        this.retention = retention;
        this.positions = positions;
        this.settings = settings;
        this.bootstrap = bootstrap;
        this.ownership = ownership;
    }

    @Override
    public boolean leads(String model) {
        return ownership.owns(model);
    }

    @Override
    public void publish(ModelDefinition model, long firstSeq, List<LogRecord> records) {
        Writer writer = writerOf(model.name());
        List<ProducerRecord<String, byte[]>> messages = new ArrayList<>(records.size());
        long seq = firstSeq;
        for (LogRecord record : records) {
            ProducerRecord<String, byte[]> message = new ProducerRecord<>(settings.logTopic(), partitionOf(model.name()), model.name(),
                    LogRecord.encode(record));
            message.headers().add(SEQ, longBytes(seq++)).add(CREATED, longBytes(model.createdAtMillis()));
            messages.add(message);
        }
        positions.record(model.name(), model.createdAtMillis(), firstSeq, transact(writer, model.name(), messages));
    }

    @Override
    public CompletableFuture<Void> publishScored(ModelDefinition model, List<PendingEvents.Scoring> scorings,
                                                 Map<String, double[]> histories) {
        Writer writer;
        try {
            writer = writerOf(model.name());
        } catch (ApiProblem problem) {
            return CompletableFuture.failedFuture(problem);
        } catch (RuntimeException e) { // a producer that could not be opened again
            return CompletableFuture.failedFuture(ApiProblem.unavailable("cluster-log-unavailable", "the cluster's log cannot be "
                    + "written now (" + e.getMessage() + "); nothing was stored, retry later", 5));
        }
        CompletableFuture<Void> durable = new CompletableFuture<>();
        synchronized (writer) {
            if (writer.closed) {
                return CompletableFuture.failedFuture(moving(model.name()));
            }
            for (int i = 0; i < scorings.size(); i++) {
                PendingEvents.Scoring scoring = scorings.get(i);
                ProducerRecord<String, byte[]> message = new ProducerRecord<>(settings.logTopic(), partitionOf(model.name()),
                        model.name(), scoring.event().encode());
                message.headers().add(SCORED, scoring.id().getBytes(StandardCharsets.UTF_8))
                        .add(CREATED, longBytes(model.createdAtMillis())).add(SCORED_BY, self);
                if (i == 0 && !histories.isEmpty()) {
                    message.headers().add(HISTORIES, encode(histories));
                }
                writer.queued.add(new Queued(message, i == scorings.size() - 1 ? durable : null));
            }
        }
        try {
            flushes.execute(() -> {
                try {
                    transact(writer, model.name(), List.of());
                } catch (ApiProblem problem) {
                    // the waiting callers were told
                }
            });
        } catch (java.util.concurrent.RejectedExecutionException closing) {
            synchronized (writer) {
                failed(List.copyOf(writer.queued), moving(model.name()));
                writer.queued.clear();
            }
        }
        return durable;
    }

    @Override
    public byte[] version(ModelDefinition model, long version) {
        return SnapshotTopic.readVersion(settings, bootstrap, model, version);
    }

    @Override
    public void keepVersion(ModelDefinition model, long version, byte[] snapshot) {
        try {
            retention.keep(model, version, snapshot);
        } catch (RuntimeException e) {
            throw ApiProblem.unavailable("cluster-log-unavailable", "version " + version + " of model '" + model.name()
                    + "' could not be published to the cluster (" + e.getMessage() + "); nothing was rolled back, retry later", 5);
        }
    }

    private int partitionOf(String model) {
        return Ownership.partition(model, settings.partitions());
    }

    /** The partition's writer, opened again if its producer failed; a 503 unless this instance owns the model. */
    private Writer writerOf(String model) {
        int partition = partitionOf(model);
        if (!ownership.owns(model)) {
            throw moving(model);
        }
        Writer writer = writers.get(partition);
        if (writer == null) {
            synchronized (writers) {
                writer = writers.get(partition);
                if (writer == null && ownership.owns(model)) {
                    open(List.of(partition));
                    writer = writers.get(partition);
                }
            }
        }
        if (writer == null) {
            throw moving(model);
        }
        return writer;
    }

    /**
     * One transaction: the scored events queued so far, then {@code messages}; nothing is visible if
     * it throws. Returns the offset of the first of {@code messages} (-1 without any).
     */
    private long transact(Writer writer, String model, List<ProducerRecord<String, byte[]>> messages) {
        synchronized (writer) {
            List<Queued> queued = List.copyOf(writer.queued);
            writer.queued.clear();
            if (queued.isEmpty() && messages.isEmpty()) {
                return -1; // an earlier transaction took them
            }
            if (writer.closed) {
                throw failed(queued, moving(model));
            }
            KafkaProducer<String, byte[]> producer = writer.producer;
            try {
                producer.beginTransaction();
                queued.forEach(q -> producer.send(q.message()));
                java.util.concurrent.Future<org.apache.kafka.clients.producer.RecordMetadata> first = null;
                for (ProducerRecord<String, byte[]> message : messages) {
                    var sent = producer.send(message);
                    first = first == null ? sent : first;
                }
                producer.commitTransaction(); // every send is acknowledged by then
                queued.stream().filter(q -> q.durable() != null).forEach(q -> q.durable().complete(null));
                return first == null ? -1 : first.get().offset();
            } catch (ProducerFencedException | InvalidProducerEpochException e) {
                LOG.warn("cluster '{}': another instance took partition {} over; its models are no longer written here",
                        settings.name(), partitionOf(model));
                retire(writer);
                throw failed(queued, moving(model));
            } catch (InterruptedException | java.util.concurrent.ExecutionException e) { // cannot happen once committed
                throw new IllegalStateException("a committed send has no offset: " + e, e);
            } catch (RuntimeException e) {
                // whatever state the producer is left in, a fresh one (same id: it fences this one) takes the next transaction
                LOG.warn("cluster '{}': a transaction of partition {} failed: {}", settings.name(), partitionOf(model), e.toString());
                retire(writer);
                throw failed(queued, ApiProblem.unavailable("cluster-log-unavailable", "the cluster's log could not take what model '"
                        + model + "' did (" + e.getMessage() + "); it was not learned or stored, retry later", 5));
            }
        }
    }

    /** Closes a writer whose producer cannot go on; the partition's next transaction opens a new one. */
    private void retire(Writer writer) {
        writer.closed = true;
        writers.values().remove(writer);
        writer.producer.close(Duration.ZERO);
    }

    private static ApiProblem failed(List<Queued> queued, ApiProblem problem) {
        queued.stream().filter(q -> q.durable() != null).forEach(q -> q.durable().completeExceptionally(problem));
        return problem;
    }

    private ApiProblem partitionMoved(int partition) {
        return ApiProblem.unavailable("model-moving", "partition " + partition + " of cluster '" + settings.name()
                + "' changed hands while events scored here waited to be published; try again", 1);
    }

    private ApiProblem moving(String model) {
        return ApiProblem.unavailable("model-moving", "model '" + model + "' is moving to another instance of cluster '"
                + settings.name() + "'; try again", 1);
    }

    /** Opens the producers of partitions taken over: each fences the producer that wrote the partition before. */
    void open(Collection<Integer> partitions) {
        synchronized (writers) {
            for (int partition : partitions) {
                Properties props = new Properties();
                props.put(ProducerConfig.BOOTSTRAP_SERVERS_CONFIG, bootstrap);
                props.put(ProducerConfig.TRANSACTIONAL_ID_CONFIG, settings.logTopic() + "." + partition);
                props.put(ProducerConfig.LINGER_MS_CONFIG, 0);
                KafkaProducer<String, byte[]> producer = new KafkaProducer<>(props, new StringSerializer(), new ByteArraySerializer());
                producer.initTransactions();
                Writer before = writers.put(partition, new Writer(producer));
                if (before != null) {
                    synchronized (before) {
                        before.closed = true;
                        failed(before.queued, partitionMoved(partition));
                    }
                    before.producer.close(Duration.ZERO);
                }
            }
        }
    }

    /** Closes the producers of partitions given up. */
    void close(Collection<Integer> partitions) {
        for (int partition : partitions) {
            Writer writer = writers.remove(partition);
            if (writer != null) {
                synchronized (writer) {
                    writer.closed = true;
                    failed(writer.queued, partitionMoved(partition));
                    writer.producer.close(Duration.ofSeconds(5));
                }
            }
        }
    }

    /** Entities' histories as bytes: their count, then each key and its values. */
    static byte[] encode(Map<String, double[]> histories) {
        java.io.ByteArrayOutputStream bytes = new java.io.ByteArrayOutputStream();
        try (java.io.DataOutputStream out = new java.io.DataOutputStream(bytes)) {
            out.writeInt(histories.size());
            for (Map.Entry<String, double[]> history : histories.entrySet()) {
                out.writeUTF(history.getKey());
                out.writeInt(history.getValue().length);
                for (double value : history.getValue()) {
                    out.writeDouble(value);
                }
            }
        } catch (java.io.IOException e) {
            throw new java.io.UncheckedIOException(e); // in memory: cannot happen
        }
        return bytes.toByteArray();
    }

    /** Reads back {@link #encode(Map)}. */
    static Map<String, double[]> decodeHistories(byte[] bytes) {
        try (java.io.DataInputStream in = new java.io.DataInputStream(new java.io.ByteArrayInputStream(bytes))) {
            int count = in.readInt();
            Map<String, double[]> histories = new java.util.HashMap<>();
            for (int i = 0; i < count; i++) {
                String key = in.readUTF();
                double[] values = new double[in.readInt()];
                for (int j = 0; j < values.length; j++) {
                    values[j] = in.readDouble();
                }
                histories.put(key, values);
            }
            return histories;
        } catch (java.io.IOException e) {
            throw new IllegalStateException("entities' histories on the models' log do not read: " + e.getMessage(), e);
        }
    }

    static byte[] longBytes(long value) {
        return ByteBuffer.allocate(Long.BYTES).putLong(value).array();
    }

    static long longOf(byte[] bytes) {
        return ByteBuffer.wrap(bytes).getLong();
    }

    @Override
    public void close() {
        close(List.copyOf(writers.keySet()));
        flushes.shutdown();
    }
}
