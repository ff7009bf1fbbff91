package io.vigie.server.kafka;

import com.yahoo.labs.samoa.instances.Instance;
import io.micrometer.core.instrument.Counter;
import io.micrometer.core.instrument.MeterRegistry;
import io.vertx.core.json.JsonObject;
import io.vigie.learner.DriftReset;
import io.vigie.learner.monitor.InputDriftMonitor;
import io.vigie.learner.Schema;
import io.vigie.server.ApiProblem;
import io.vigie.server.wire.JsonText;
import io.vigie.server.wire.Renderings;
import io.vigie.server.wire.EventJson;
import io.vigie.server.wire.Fields;
import io.vigie.server.model.ModelWriter;
import io.vigie.server.model.Models;
import io.vigie.server.model.Timeline;
import io.vigie.server.store.LogRecord;
import org.apache.kafka.clients.consumer.CloseOptions;
import org.apache.kafka.clients.consumer.ConsumerRebalanceListener;
import org.apache.kafka.clients.consumer.ConsumerConfig;
import org.apache.kafka.clients.consumer.CooperativeStickyAssignor;
import org.apache.kafka.common.header.Header;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.clients.consumer.ConsumerRecords;
import org.apache.kafka.clients.consumer.KafkaConsumer;
import org.apache.kafka.clients.consumer.OffsetAndMetadata;
import org.apache.kafka.clients.producer.KafkaProducer;
import org.apache.kafka.clients.producer.ProducerConfig;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.apache.kafka.clients.producer.RecordMetadata;
import org.apache.kafka.common.TopicPartition;
import org.apache.kafka.common.errors.WakeupException;
import org.apache.kafka.common.serialization.ByteArrayDeserializer;
import org.apache.kafka.common.serialization.ByteArraySerializer;
import org.apache.kafka.common.serialization.StringDeserializer;
import org.apache.kafka.common.serialization.StringSerializer;

import java.nio.charset.StandardCharsets;
import java.time.Clock;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Properties;
import java.util.Set;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;
import java.util.function.Supplier;
import io.vigie.server.model.Scored;
import io.vigie.server.model.Outcome;
import io.vigie.server.model.ItemResult;
import io.vigie.server.model.KnownIds;
import io.vigie.server.model.ScoreRequest;
import io.vigie.server.model.LabelRequest;
import io.vigie.server.model.EventRequest;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Feeds the models from Kafka: transactions are scored and their predictions published, labels are
 * joined and learned, labelled events learned; a record that cannot be used goes to the dead-letter
 * topic with its original bytes, the reason and where it came from, and the stream goes on.
 *
 * <p>Exactly-once learning without Kafka transactions: every label or labelled event is logged by
 * its model with its topic, partition and offset, and each model knows the last offset its log
 * holds per partition (kept in snapshots, rebuilt at replay). Offsets are committed to Kafka only
 * after what was read is logged (asynchronously, so a commit may lag), so a crash redelivers the
 * records since the last commit that landed, and the models skip those their logs already hold.
 * Predictions, dead letters and drift events are at least once: a redelivered transaction is
 * published again with the answer it was given (its id is stored: it is not scored twice).
 *
 * <p>One thread polls; each model's records are handed to its writer in runs of the same kind, in
 * partition order, each run awaited before the model's next so that its order is the stream's;
 * the models of a poll go side by side. Polls overlap: while the models learn one poll's records,
 * the thread fetches and parses the next, and sends and commits what the one before produced; a
 * poll's records are handed to the models only once the previous poll's are learned, so a model
 * never holds a later record of a partition without every earlier one.
 *
 * <p>In a cluster it reads the cluster's input topic instead, as a member of the owners' group
 * ({@link Membership}): the partitions it holds are the models this instance owns.
 */
public final class KafkaIngest implements AutoCloseable {
    private static final Logger LOG = LoggerFactory.getLogger(KafkaIngest.class);
    /** What a topic's records are, and the fields they carry: an event's, a label's, a labelled event's, and the model's name. */
    private enum Kind {
        TRANSACTION(EventJson.TO_SCORE), LABEL(EventJson.LABEL), EVENT(EventJson.LABELLED);

        final java.util.Set<String> fields;

        Kind(java.util.Set<String> eventFields) {
            java.util.Set<String> fields = new java.util.HashSet<>(eventFields);
            fields.add("model");
            this.fields = java.util.Set.copyOf(fields);
        }
    }

    /** A usable record: its model, kind, id, source, and the parsed payload. */
    private record Item(ModelWriter writer, Kind kind, String id, LogRecord.Source source, Instance instance, int label, long time,
                        List<String> keys) {
    }

    /** In a cluster's input topic, the header naming the feed a record came from: a {@link Topic#key()} ({@code transactions}, ...). */
    public static final String FEED = "vigie.feed";
    private static final Duration POLL = Duration.ofMillis(100);
    private static final long BUSY_RETRY_MILLIS = 200;

    private final KafkaSettings settings;
    private final Models models;
    private final KafkaConsumer<String, byte[]> consumer;
    private final KafkaProducer<String, byte[]> producer;
    private final Thread thread;
    private final Counter deadLetters;
    private final Counter consumed;
    /** Runs each model's records of a poll, the models side by side (at most this many at once: each waits on its writer). */
    private static final int MODELS_AT_ONCE = 16;
    private final java.util.concurrent.ExecutorService perModel = java.util.concurrent.Executors.newFixedThreadPool(MODELS_AT_ONCE, r -> {
        Thread t = new Thread(r, "vigie-kafka-model");
        t.setDaemon(true);
        return t;
    });
    private final Map<String, DriftsPublished> driftsPublished = new HashMap<>();

    /** How far a model's drift events went to the drift topic: resets by count, input alerts and estimate gaps by position. */
    private record DriftsPublished(int resets, long inputObserved, long gapLearned) {
    }
    private final Membership membership;
    private final IngestHealth health;
    private final ConsumerLag lag;
    private final CountDownLatch closing = new CountDownLatch(1);
    private volatile boolean running = true;
    /** The poll whose records the models are learning while the next is fetched: null when none is (polling thread only). */
    private Batch learning;

    private KafkaIngest(KafkaSettings settings, Models models, MeterRegistry registry, Membership membership) {
        this.settings = settings;
        this.models = models;
        this.membership = membership;
        Properties consumerProps = new Properties();
        consumerProps.put(ConsumerConfig.BOOTSTRAP_SERVERS_CONFIG, settings.bootstrap());
        consumerProps.put(ConsumerConfig.GROUP_ID_CONFIG, membership == null ? settings.group() : membership.group());
        if (membership != null) {
            // cooperative: a rebalance moves only the partitions that change hands, the others' models serve on
            consumerProps.put(ConsumerConfig.PARTITION_ASSIGNMENT_STRATEGY_CONFIG, CooperativeStickyAssignor.class.getName());
            consumerProps.put(ConsumerConfig.CLIENT_ID_CONFIG, membership.clientId());
            consumerProps.put(ConsumerConfig.SESSION_TIMEOUT_MS_CONFIG, membership.sessionTimeoutMillis());
        }
        consumerProps.put(ConsumerConfig.GROUP_INSTANCE_ID_CONFIG, settings.instance());
        consumerProps.put(ConsumerConfig.ENABLE_AUTO_COMMIT_CONFIG, false);
        consumerProps.put(ConsumerConfig.AUTO_OFFSET_RESET_CONFIG, "earliest");
        consumerProps.put(ConsumerConfig.MAX_POLL_RECORDS_CONFIG, settings.maxPollRecords());
        consumerProps.put(ConsumerConfig.ISOLATION_LEVEL_CONFIG, "read_committed");
        this.consumer = new KafkaConsumer<>(consumerProps, new StringDeserializer(), new ByteArrayDeserializer());
        Properties producerProps = new Properties();
        producerProps.put(ProducerConfig.BOOTSTRAP_SERVERS_CONFIG, settings.bootstrap());
        producerProps.put(ProducerConfig.ENABLE_IDEMPOTENCE_CONFIG, true);
        producerProps.put(ProducerConfig.ACKS_CONFIG, "all");
        producerProps.put(ProducerConfig.LINGER_MS_CONFIG, 1);
        this.producer = new KafkaProducer<>(producerProps, new StringSerializer(), new ByteArraySerializer());
        this.deadLetters = Counter.builder("vigie.kafka.dead.letters").description("Kafka records sent to the dead-letter topic")
                .register(registry);
        this.consumed = Counter.builder("vigie.kafka.records").description("Kafka records consumed").register(registry);
        this.health = new IngestHealth(registry, Clock.systemUTC());
        this.lag = new ConsumerLag(registry);
        this.thread = new Thread(this::run, "vigie-kafka-ingest");
        thread.setDaemon(true);
    }

    /** Starts consuming the feed topics; the models must be recovered. */
    public static KafkaIngest start(KafkaSettings settings, Models models, MeterRegistry registry) {
        return start(settings, models, registry, null);
    }

    /**
     * Starts consuming: the feed topics on a single instance, or as a member of a cluster, the
     * one topic its membership names (null: the feed topics).
     */
    public static KafkaIngest start(KafkaSettings settings, Models models, MeterRegistry registry, Membership membership) {
        KafkaIngest ingest = new KafkaIngest(settings, models, registry, membership);
        ingest.thread.start();
        return ingest;
    }

    private void run() {
        try {
            if (membership == null) {
                consumer.subscribe(List.of(settings.topic(Topic.TRANSACTIONS), settings.topic(Topic.LABELS), settings.topic(Topic.EVENTS)),
                        new LearnedBeforeRevoked(null));
            } else {
                consumer.subscribe(List.of(membership.topic()), new LearnedBeforeRevoked(membership.listener()));
            }
            consume();
        } catch (Stopping | WakeupException e) {
            // closing: nothing committed past what was logged; the next start redelivers the rest
        } catch (Throwable e) {
            health.stopped(e);
            LOG.error("Kafka ingest stopped: this instance no longer learns from Kafka (/health/ready answers 503)", e);
        } finally {
            health.stopped(null);
            if (membership == null) {
                consumer.close();
            } else {
                // a static member that stops cleanly leaves its group, so that its models move at once, not after its session times out
                consumer.close(CloseOptions.groupMembershipOperation(CloseOptions.GroupMembershipOperation.LEAVE_GROUP));
            }
            producer.close(Duration.ofSeconds(10));
            perModel.shutdownNow();
        }
    }

    /**
     * Polls and processes until closed; every error is counted, shown and retried after a growing
     * wait. Each poll's records are parsed while the previous poll's are learned, handed to the
     * models once those are, and the previous poll's outputs are then sent and its offsets
     * committed while the models learn.
     */
    private void consume() {
        Set<TopicPartition> toRewind = Set.of();
        while (running) {
            if (!toRewind.isEmpty()) {
                toRewind = rewindToCommitted(toRewind);
                continue;
            }
            ConsumerRecords<String, byte[]> records;
            try {
                records = consumer.poll(POLL);
            } catch (WakeupException e) {
                throw e;
            } catch (RuntimeException e) {
                // e.g. a topic name the broker refuses, or authorisation: retried, so the fix needs no restart
                retryAfter("poll", e, "Kafka poll failed");
                continue;
            }
            lag.update(consumer);
            Batch next = records.isEmpty() ? null : new Batch(records);
            Batch learned = learning;
            learning = null;
            try {
                if (learned != null) {
                    learned.awaitLearned();
                }
                if (next != null) {
                    next.startLearning();
                    learning = next;
                }
                if (learned != null) {
                    learned.finish();
                }
                health.consuming();
            } catch (Stopping | WakeupException e) {
                throw e;
            } catch (RuntimeException e) {
                // what was read since the last commit is read again; the models skip what their logs hold
                toRewind = new java.util.HashSet<>(records.partitions());
                if (learned != null) {
                    toRewind.addAll(learned.records.partitions());
                }
                if (learning != null) {
                    learning.awaitQuietly();
                    learning = null;
                }
                retryAfter("process", e, "Kafka records not processed, will be read again");
            }
        }
    }

    /**
     * One poll's records on their way: parsed (the unusable ones sent to the dead letters), learned
     * by their models, the predictions and drift events sent, the offsets committed.
     */
    private final class Batch {
        private final ConsumerRecords<String, byte[]> records;
        private final Map<ModelWriter, List<Item>> byModel = new LinkedHashMap<>();
        /** Every output record this batch sent: all must reach the broker before its offsets are committed. */
        private final List<Future<RecordMetadata>> sent = java.util.Collections.synchronizedList(new ArrayList<>());
        private List<Future<?>> models = List.of();

        Batch(ConsumerRecords<String, byte[]> records) {
            this.records = records;
            for (ConsumerRecord<String, byte[]> record : records) {
                consumed.increment();
                Item item = parse(record, sent);
                if (item != null) {
                    byModel.computeIfAbsent(item.writer(), w -> new ArrayList<>()).add(item);
                }
            }
        }

        /** Hands each model its records, in their order, as runs of one kind: the models side by side, each run awaited before its model's next. */
        void startLearning() {
            List<Future<?>> started = new ArrayList<>();
            for (List<Item> items : byModel.values()) {
                started.add(perModel.submit(() -> {
                    List<Item> run = new ArrayList<>();
                    for (Item item : items) {
                        if (!run.isEmpty() && run.get(0).kind() != item.kind()) {
                            execute(run, sent);
                            run = new ArrayList<>();
                        }
                        run.add(item);
                    }
                    execute(run, sent);
                }));
            }
            models = started;
        }

        /** Waits until every model has logged and learned its records; throws the first failure. */
        void awaitLearned() {
            RuntimeException failure = null;
            for (Future<?> model : models) {
                try {
                    model.get();
                } catch (ExecutionException e) {
                    failure = failure != null ? failure : e.getCause() instanceof RuntimeException r ? r : new IllegalStateException(e.getCause());
                } catch (InterruptedException e) {
                    Thread.currentThread().interrupt();
                    throw new Stopping();
                }
            }
            if (failure != null) {
                throw failure;
            }
        }

        /** Waits for the models, whatever they answer: the batch is to be read again. */
        void awaitQuietly() {
            try {
                awaitLearned();
            } catch (Stopping e) {
                throw e;
            } catch (RuntimeException e) {
                // read again, with the batch that failed
            }
        }

        /** Once learned: publishes the models' drift events, waits for every output to reach the broker, commits the offsets. */
        void finish() {
            byModel.keySet().forEach(writer -> publishDrifts(writer, sent));
            producer.flush();
            requireSent(sent);
            // asynchronous: the commit only has to follow the logging, not hold up the next poll;
            // a commit lost in a crash means redelivery, which the models' positions absorb
            consumer.commitAsync(nextOffsets(records), (offsets, failure) -> {
                if (failure != null) {
                    LOG.warn("Kafka offsets not committed (records will be read again, not learned twice): {}", failure.toString());
                }
            });
        }
    }

    /**
     * Before partitions are taken from this instance, the records of them it handed to its models
     * are learned: their models stop being written here before another instance writes them.
     */
    private final class LearnedBeforeRevoked implements ConsumerRebalanceListener {
        private final ConsumerRebalanceListener then;

        LearnedBeforeRevoked(ConsumerRebalanceListener then) {
            this.then = then;
        }

        @Override
        public void onPartitionsRevoked(java.util.Collection<TopicPartition> partitions) {
            awaitLearning();
            if (then != null) {
                then.onPartitionsRevoked(partitions);
            }
        }

        @Override
        public void onPartitionsLost(java.util.Collection<TopicPartition> partitions) {
            awaitLearning();
            if (then != null) {
                then.onPartitionsLost(partitions);
            }
        }

        @Override
        public void onPartitionsAssigned(java.util.Collection<TopicPartition> partitions) {
            if (then != null) {
                then.onPartitionsAssigned(partitions);
            }
        }

        private void awaitLearning() {
            if (learning != null) {
                learning.awaitQuietly(); // a failure is met again, and handled, once the poll returns
            }
        }
    }

    private void retryAfter(String stage, RuntimeException e, String what) {
        long wait = health.failed(stage, e);
        LOG.warn("{} (retry in {} ms): {}", what, wait, e.toString());
        pause(wait);
    }

    private record FreshDrifts(List<DriftReset> resets, List<InputDriftMonitor.Alert> inputs, List<Timeline.Marker> gaps) {
    }

    /**
     * Publishes the member resets, input drift alerts and estimate gaps a model raised since the
     * last look, keyed by model, position and member or channel so a reader can drop repeats:
     * after a restart they are published again (at least once).
     */
    private void publishDrifts(ModelWriter writer, List<Future<RecordMetadata>> sent) {
        String model = writer.definition().name();
        DriftsPublished from = driftsPublished.getOrDefault(model, new DriftsPublished(0, 0, 0));
        FreshDrifts fresh = await(() -> writer.read(view -> {
            List<DriftReset> all = view.resets();
            return new FreshDrifts(List.copyOf(all.subList(Math.min(from.resets(), all.size()), all.size())),
                    view.inputs().alerts().stream().filter(a -> a.observed() > from.inputObserved()).toList(),
                    view.timeline().markers().stream()
                            .filter(m -> m.kind().equals(Timeline.ESTIMATE_GAP) && m.learned() > from.gapLearned()).toList());
        }));
        for (DriftReset reset : fresh.resets()) {
            publishDrift(model, model + "@" + reset.at() + "#" + reset.expert(), Renderings.reset(reset), sent);
        }
        long observed = from.inputObserved();
        for (InputDriftMonitor.Alert alert : fresh.inputs()) {
            publishDrift(model, model + "@input" + alert.observed() + "#" + alert.result().channel(), Renderings.inputAlert(alert), sent);
            observed = alert.observed();
        }
        long gapLearned = from.gapLearned();
        for (Timeline.Marker gap : fresh.gaps()) {
            publishDrift(model, model + "@gap" + gap.learned(), Renderings.marker(gap), sent);
            gapLearned = gap.learned();
        }
        driftsPublished.put(model, new DriftsPublished(from.resets() + fresh.resets().size(), observed, gapLearned));
    }

    private void publishDrift(String model, String key, JsonObject event, List<Future<RecordMetadata>> sent) {
        JsonObject message = new JsonObject().put("model", model).put("event", event);
        sent.add(producer.send(new ProducerRecord<>(settings.topic(Topic.DRIFT), key, message.toBuffer().getBytes())));
    }

    /** A record's use, or null after sending it to the dead letters. */
    private Item parse(ConsumerRecord<String, byte[]> record, List<Future<RecordMetadata>> sent) {
        LogRecord.Source source = new LogRecord.Source(record.topic(), record.partition(), record.offset());
        try {
            Kind kind = kindOf(record);
            JsonObject json = json(record.value());
            String modelName = json.getValue("model") instanceof String name ? name : null;
            if (modelName == null) {
                throw ApiProblem.invalid("'model' must be a string naming the model");
            }
            ModelWriter writer = models.get(modelName);
            Fields.only(json, "the record", kind.fields);
            Schema schema = writer.definition().schema();
            String id = EventJson.id(json);
            long time = EventJson.time(json);
            return switch (kind) {
                case TRANSACTION -> new Item(writer, kind, id, source, EventJson.instance(schema, json, writer.unknownCategories()), -1,
                        time, EventJson.keys(json, writer.definition().keys()));
                case LABEL -> new Item(writer, kind, id, source, null, EventJson.classIndex(schema, json), time, List.of());
                case EVENT -> {
                    Instance instance = EventJson.instance(schema, json, writer.unknownCategories());
                    int label = EventJson.classIndex(schema, json);
                    instance.setClassValue(label);
                    yield new Item(writer, kind, id, source, instance, label, time, List.of());
                }
            };
        } catch (ApiProblem problem) {
            sent.add(deadLetter(record, problem.getMessage()));
            return null;
        }
    }

    /** What a record is: by its topic, or in a cluster's input topic by the header naming the feed topic it came from. */
    private Kind kindOf(ConsumerRecord<String, byte[]> record) {
        String feed;
        if (membership == null) {
            feed = record.topic().equals(settings.topic(Topic.TRANSACTIONS)) ? Topic.TRANSACTIONS.key()
                    : record.topic().equals(settings.topic(Topic.LABELS)) ? Topic.LABELS.key() : Topic.EVENTS.key();
        } else {
            Header header = record.headers().lastHeader(FEED);
            feed = header == null ? "" : new String(header.value(), StandardCharsets.UTF_8);
        }
        if (feed.equals(Topic.TRANSACTIONS.key())) {
            return Kind.TRANSACTION;
        } else if (feed.equals(Topic.LABELS.key())) {
            return Kind.LABEL;
        } else if (feed.equals(Topic.EVENTS.key())) {
            return Kind.EVENT;
        }
        throw ApiProblem.badRequest("the record has no '" + FEED + "' header naming its feed (transactions, labels "
                + "or events): records reach the cluster's input topic through its feed topics");
    }

    private static JsonObject json(byte[] value) {
        if (value == null) {
            throw ApiProblem.badRequest("the record has no value");
        }
        return JsonText.object(value, "the value");
    }

    private void execute(List<Item> run, List<Future<RecordMetadata>> sent) {
        ModelWriter writer = run.get(0).writer();
        switch (run.get(0).kind()) {
            case TRANSACTION -> {
                // a transaction redelivered after a restart is answered as it was scored, not scored again
                List<Scored> scored = await(() -> writer.predictAll(run.stream()
                        .map(i -> new ScoreRequest(i.id(), i.instance(), i.time(), i.keys())).toList(), KnownIds.ANSWER_STORED));
                String model = writer.definition().name();
                for (Scored s : scored) {
                    JsonObject prediction = Renderings.prediction(s, writer.definition().schema()).put("model", model);
                    sent.add(producer.send(new ProducerRecord<>(settings.topic(Topic.PREDICTIONS), s.id(), prediction.toBuffer().getBytes())));
                }
            }
            case LABEL -> requireLogged(await(() -> writer.label(run.stream()
                    .map(i -> new LabelRequest(i.id(), i.label(), i.time(), i.source())).toList())));
            case EVENT -> requireLogged(await(() -> writer.learn(run.stream()
                    .map(i -> new EventRequest(i.id(), i.instance(), i.time(), i.source())).toList())));
        }
    }

    /** A record that could not be logged must not be committed past: it is read again. */
    private static void requireLogged(List<ItemResult> results) {
        for (ItemResult result : results) {
            if (result.outcome() == Outcome.NOT_LOGGED) {
                throw new IllegalStateException("the log refused record '" + result.id() + "'");
            }
        }
    }

    /** Waits for a writer call, retrying while the model is busy; once the service stops, leaves without committing. */
    private <T> T await(Supplier<CompletableFuture<T>> call) {
        while (true) {
            try {
                return call.get().get();
            } catch (ExecutionException e) {
                if (e.getCause() instanceof ApiProblem problem && problem.status() == 429 && running) {
                    pause(BUSY_RETRY_MILLIS);
                    continue;
                }
                if (!running) {
                    throw new Stopping();
                }
                // e.g. a model deleted meanwhile (503): the batch is read again, and its records
                // for a model that is gone become dead letters
                throw new IllegalStateException(e.getCause());
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                throw new Stopping();
            }
        }
    }

    private Future<RecordMetadata> deadLetter(ConsumerRecord<String, byte[]> record, String reason) {
        deadLetters.increment();
        ProducerRecord<String, byte[]> letter = new ProducerRecord<>(settings.topic(Topic.DEAD_LETTER), record.key(), record.value());
        letter.headers().add("vigie.error", reason.getBytes(StandardCharsets.UTF_8));
        letter.headers().add("vigie.source", (record.topic() + "/" + record.partition() + "@" + record.offset())
                .getBytes(StandardCharsets.UTF_8));
        return producer.send(letter);
    }

    /** After a flush: every prediction and dead letter of the batch reached the broker, or the batch is read again. */
    private static void requireSent(List<Future<RecordMetadata>> sent) {
        try {
            for (Future<RecordMetadata> send : sent) {
                send.get();
            }
        } catch (ExecutionException e) {
            throw new IllegalStateException("an output record was not written: " + e.getCause(), e.getCause());
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new Stopping();
        }
    }

    private static Map<TopicPartition, OffsetAndMetadata> nextOffsets(ConsumerRecords<String, byte[]> records) {
        Map<TopicPartition, OffsetAndMetadata> next = new HashMap<>();
        for (TopicPartition partition : records.partitions()) {
            List<ConsumerRecord<String, byte[]>> inPartition = records.records(partition);
            next.put(partition, new OffsetAndMetadata(inPartition.get(inPartition.size() - 1).offset() + 1));
        }
        return next;
    }

    /**
     * Seeks back to the last committed offsets so that a batch that failed is read again (the models
     * skip what their logs already hold). Returns the partitions still to rewind if the broker
     * could not be asked.
     */
    private Set<TopicPartition> rewindToCommitted(Set<TopicPartition> partitions) {
        try {
            Set<TopicPartition> assigned = consumer.assignment();
            Map<TopicPartition, OffsetAndMetadata> committed = consumer.committed(partitions);
            for (TopicPartition partition : partitions) {
                if (!assigned.contains(partition)) {
                    continue; // revoked meanwhile: its new owner starts from the committed offset anyway
                }
                OffsetAndMetadata at = committed.get(partition);
                if (at == null) {
                    consumer.seekToBeginning(List.of(partition));
                } else {
                    consumer.seek(partition, at.offset());
                }
            }
            return Set.of();
        } catch (WakeupException e) {
            throw e;
        } catch (RuntimeException e) {
            retryAfter("rewind", e, "cannot read committed Kafka offsets yet");
            return partitions;
        }
    }

    /** Waits before retrying a busy model or a failed step; closing ends the wait at once. */
    private void pause(long millis) {
        try {
            if (closing.await(millis, TimeUnit.MILLISECONDS)) {
                throw new Stopping();
            }
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new Stopping();
        }
    }

    /** The service is stopping: leave without committing. */
    private static final class Stopping extends RuntimeException {
        Stopping() {
            super(null, null, false, false);
        }
    }

    /** How the ingest is doing: consuming, retrying after an error, or stopped. */
    public IngestHealth.Status health() {
        return health.status();
    }

    /** Stops consuming: what was read and not yet logged is left uncommitted, for the next start. */
    @Override
    public void close() throws InterruptedException {
        running = false;
        closing.countDown();
        consumer.wakeup();
        thread.join(30_000);
    }
}
