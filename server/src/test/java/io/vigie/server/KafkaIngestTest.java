package io.vigie.server;

import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;
import io.vigie.datasets.Streams;
import io.vigie.learner.EventStream;
import io.vigie.learner.LabelledEvent;
import io.vigie.learner.Schema;
import io.vigie.server.wire.DefinitionJson;
import org.apache.kafka.clients.consumer.ConsumerConfig;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.clients.consumer.KafkaConsumer;
import org.apache.kafka.clients.consumer.OffsetAndMetadata;
import org.apache.kafka.clients.producer.KafkaProducer;
import org.apache.kafka.clients.producer.ProducerConfig;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.apache.kafka.common.TopicPartition;
import org.apache.kafka.common.serialization.ByteArrayDeserializer;
import org.apache.kafka.common.serialization.ByteArraySerializer;
import org.apache.kafka.common.serialization.StringDeserializer;
import org.apache.kafka.common.serialization.StringSerializer;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.io.ByteArrayOutputStream;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Random;
import java.util.Set;
import java.util.concurrent.TimeUnit;
import java.util.function.BooleanSupplier;

import static io.vigie.server.TestService.expect;
import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** The service fed through a real KRaft broker: parity with {@code vigie eval}, dead letters, exactly-once learning. */
class KafkaIngestTest {
    /** Each test has its own topics (prefix.transactions, ...) on the one broker. */
    private record Topics(String prefix) {
        String transactions() {
            return prefix + ".transactions";
        }

        String labels() {
            return prefix + ".labels";
        }

        String events() {
            return prefix + ".events";
        }

        String predictions() {
            return prefix + ".predictions";
        }

        String deadLetter() {
            return prefix + ".dead-letter";
        }

        String drift() {
            return prefix + ".drift";
        }

        void create() throws Exception {
            broker.createTopics(transactions(), labels(), events(), predictions(), deadLetter(), drift());
        }

        JsonObject config(String group) {
            return new JsonObject().put("kafka", new JsonObject().put("bootstrap", broker.bootstrap()).put("group", group)
                    .put("topics", new JsonObject().put("transactions", transactions()).put("labels", labels())
                            .put("events", events()).put("predictions", predictions()).put("dead_letter", deadLetter())
                            .put("drift", drift())));
        }
    }

    @TempDir
    static Path brokerDir;
    static KafkaBroker broker;

    @TempDir
    Path dataDir;

    @BeforeAll
    static void startBroker() throws Exception {
        broker = new KafkaBroker(brokerDir);
    }

    @AfterAll
    static void stopBroker() throws Exception {
        broker.close();
    }

    @Test
    void badRecordsGoToDeadLetters_goodOnesAreLearned_andARedeliveryLearnsNothingTwice() throws Exception {
        String[] bad = {"not json at all", "{\"model\":\"nope\",\"id\":\"x\",\"features\":{},\"label\":\"ok\"}",
                "{\"model\":\"cards\",\"id\":\"x\",\"label\":\"ok\"}", "{\"model\":\"cards\",\"id\":\"x\",\"features\":"
                + "{\"amount\":1,\"hour\":2,\"channel\":\"web\"},\"label\":\"maybe\"}", "[1,2,3]",
                "{\"model\":\"cards\",\"id\":\"x\",\"features\":{\"amount\":1,\"hour\":2,\"channel\":\"web\"},\"lable\":\"ok\"}"};
        String[] reasons = {"not valid JSON", "no model named 'nope'", "'features'", "'label'", "JSON object",
                "unknown field 'lable'"};
        List<byte[]> sentBad = new ArrayList<>();
        Topics topics = new Topics("mixed");
        topics.create();
        long version;
        try (TestService service = new TestService(dataDir, topics.config("first"));
             KafkaProducer<String, byte[]> producer = producer()) {
            expect(201, service.post("/v1/models", ServiceApiTest.modelRequest("cards", "hat")));
            Random random = new Random(11);
            for (int i = 0; i < 300; i++) {
                send(producer, topics.events(), "e" + i, cardsEvent("e" + i, ServiceApiTest.features(random)));
                if (i % 10 == 0) {
                    byte[] value = bad[(i / 10) % bad.length].getBytes(StandardCharsets.UTF_8);
                    sentBad.add(value);
                    send(producer, topics.events(), "bad" + i, value);
                }
            }
            for (int i = 0; i < 50; i++) {
                send(producer, topics.transactions(), "t" + i, new JsonObject().put("model", "cards").put("id", "t" + i)
                        .put("features", ServiceApiTest.features(random)).encode().getBytes(StandardCharsets.UTF_8));
            }
            List<ConsumerRecord<String, byte[]>> predictions = read(topics.predictions(), 50);
            for (int i = 0; i < 50; i++) {
                JsonObject p = new JsonObject(new String(predictions.get(i).value(), StandardCharsets.UTF_8));
                assertEquals("t" + i, p.getString("id"));
                assertEquals("cards", p.getString("model"));
                assertEquals(300, p.getLong("version"), "scored by the model that had learned the 300 events before");
                send(producer, topics.labels(), "t" + i, new JsonObject().put("model", "cards").put("id", "t" + i).put("label", "ok")
                        .encode().getBytes(StandardCharsets.UTF_8));
            }
            eventually(() -> learned(service, "cards") == 350);

            List<ConsumerRecord<String, byte[]>> letters = read(topics.deadLetter(), sentBad.size());
            for (int k = 0; k < sentBad.size(); k++) {
                ConsumerRecord<String, byte[]> letter = letters.get(k);
                assertArrayEquals(sentBad.get(k), letter.value(), "the original bytes");
                String error = new String(letter.headers().lastHeader("vigie.error").value(), StandardCharsets.UTF_8);
                assertTrue(error.contains(reasons[k % reasons.length]), error);
                assertTrue(new String(letter.headers().lastHeader("vigie.source").value(), StandardCharsets.UTF_8)
                        .startsWith(topics.events() + "/0@"));
            }
            version = expect(200, service.get("/v1/models/cards")).getLong("version");
            assertEquals(350, version, "one log record per learned record");
            String metrics = service.get("/metrics").body();
            assertTrue(metrics.contains("vigie_kafka_consumer_lag_records{partition=\"0\",topic=\"" + topics.events() + "\"}"),
                    "the ingest's lag by partition");
        }

        // A new consumer group reads every topic again from the start: the log already holds every
        // label and labelled event, so nothing is learned twice.
        try (TestService service = new TestService(dataDir, topics.config("second"))) {
            eventually(() -> caughtUp("second", topics));
            JsonObject model = expect(200, service.get("/v1/models/cards"));
            assertEquals(350, model.getLong("learned"));
            assertEquals(version, model.getLong("version"));
        }
    }

    @Test
    void memberResetsAfterAnAbruptDrift_arePublishedOnTheDriftTopic() throws Exception {
        Topics topics = new Topics("drift");
        topics.create();
        String agrawal = "generator:ConceptDriftStream -s (generators.AgrawalGenerator -f 1) -d (generators.AgrawalGenerator -f 4)"
                + " -p 6000 -w 1";
        int events = 12_000;
        try (TestService service = new TestService(dataDir, topics.config("drift"));
             KafkaProducer<String, byte[]> producer = producer();
             EventStream stream = Streams.open(agrawal, null, null, Set.of(), events)) {
            Schema schema = stream.schema();
            expect(201, service.post("/v1/models", new JsonObject().put("name", "agrawal").put("model", "committee -e ht,hat,nb,nochange")
                    .put("seed", 4).put("schema", DefinitionJson.schema(schema))));
            for (int i = 0; stream.hasNext(); i++) {
                LabelledEvent event = stream.next();
                producer.send(new ProducerRecord<>(topics.events(), "a" + i, new JsonObject().put("model", "agrawal").put("id", "a" + i)
                        .put("features", features(schema, event)).put("label", schema.classes().get((int) event.instance().classValue()))
                        .encode().getBytes(StandardCharsets.UTF_8)));
            }
            producer.flush();
            eventually(() -> learned(service, "agrawal") == events);
            JsonObject drifts = expect(200, service.get("/v1/models/agrawal/drifts"));
            JsonArray resets = drifts.getJsonArray("events");
            JsonArray inputs = drifts.getJsonObject("input").getJsonArray("alerts");
            assertTrue(resets.size() > 0, "the committee replaced members after the drift at 6000");
            assertTrue(inputs.size() > 0, "the function change moved the model's score and entropy");
            long gaps = expect(200, service.get("/v1/models/agrawal/timeline")).getJsonArray("markers").stream()
                    .filter(m -> ((JsonObject) m).getString("kind").equals("estimate_gap")).count(); // their own test below
            List<ConsumerRecord<String, byte[]>> published = read(topics.drift(), resets.size() + inputs.size() + (int) gaps);
            JsonArray publishedResets = new JsonArray();
            JsonArray publishedInputs = new JsonArray();
            for (ConsumerRecord<String, byte[]> record : published) {
                JsonObject alert = new JsonObject(new String(record.value(), StandardCharsets.UTF_8));
                assertEquals("agrawal", alert.getString("model"));
                JsonObject event = alert.getJsonObject("event");
                switch (event.getString("kind")) {
                    case "member_reset" -> publishedResets.add(event);
                    case "input_drift" -> publishedInputs.add(event);
                    default -> assertEquals("estimate_gap", event.getString("kind"));
                }
            }
            assertEquals(resets, publishedResets, "each reset on the drift topic, in order");
            assertEquals(inputs, publishedInputs, "each input drift alert on the drift topic, in order");
        }
    }

    /**
     * Transactions then their labels 2,000 events late, across an abrupt change of concept that
     * leaves the inputs alike: the window of labels that falls short of its estimate is published
     * on the drift topic as the timeline marks it.
     */
    @Test
    void anEstimateGap_isPublishedOnTheDriftTopic() throws Exception {
        Topics topics = new Topics("gap");
        topics.create();
        int events = 33_000;
        int batch = 500;
        int late = 2000;
        try (TestService service = new TestService(dataDir, topics.config("gap"));
             KafkaProducer<String, byte[]> producer = producer();
             EventStream stream = Streams.open("generator:ConceptDriftStream -s (generators.AgrawalGenerator -f 2 -i 3) "
                     + "-d (generators.AgrawalGenerator -f 3 -i 3) -p 30000 -w 1", null, null, Set.of(), events)) {
            Schema schema = stream.schema();
            expect(201, service.post("/v1/models", new JsonObject().put("name", "agrawal").put("model", "hat")
                    .put("schema", DefinitionJson.schema(schema))));
            List<String> labels = new ArrayList<>();
            for (int sent = 0; sent < events; sent += batch) {
                for (int i = sent; i < sent + batch; i++) {
                    LabelledEvent event = stream.next();
                    producer.send(new ProducerRecord<>(topics.transactions(), "g" + i, new JsonObject().put("model", "agrawal")
                            .put("id", "g" + i).put("features", features(schema, event)).encode().getBytes(StandardCharsets.UTF_8)));
                    labels.add(schema.classes().get((int) event.instance().classValue()));
                }
                producer.flush();
                int scored = sent + batch;
                eventually(() -> predictions(service, "agrawal") == scored); // each label after its transaction's prediction
                sendLabels(producer, topics, labels, Math.max(0, sent - late), Math.max(0, sent - late + batch));
            }
            sendLabels(producer, topics, labels, events - late, events);
            producer.flush();
            eventually(() -> learned(service, "agrawal") == events);
            JsonArray gaps = new JsonArray(expect(200, service.get("/v1/models/agrawal/timeline")).getJsonArray("markers").stream()
                    .filter(m -> ((JsonObject) m).getString("kind").equals("estimate_gap")).toList());
            assertTrue(gaps.size() > 0, "the change of concept at 30,000 fell short of the estimate");
            int inputs = expect(200, service.get("/v1/models/agrawal/drifts")).getJsonObject("input").getJsonArray("alerts").size();
            JsonArray published = new JsonArray();
            for (ConsumerRecord<String, byte[]> record : read(topics.drift(), inputs + gaps.size())) {
                JsonObject event = new JsonObject(new String(record.value(), StandardCharsets.UTF_8)).getJsonObject("event");
                if (event.getString("kind").equals("estimate_gap")) {
                    published.add(event);
                    assertEquals("agrawal@gap" + event.getLong("learned"), record.key());
                }
            }
            assertEquals(gaps, published, "each estimate gap on the drift topic, as the timeline marks it");
        }
    }

    @Test
    void elec2ThroughKafka_equalsVigieEvalWithTheSameDelay() throws Exception {
        Path elec2 = TestData.elec2();
        int limit = 1000;
        int delay = 200;
        String model = "committee -e hat,nb";
        Topics topics = new Topics("elec2");
        topics.create();
        JsonObject served;
        try (TestService service = new TestService(dataDir, topics.config("parity"));
             KafkaProducer<String, byte[]> producer = producer();
             KafkaConsumer<String, byte[]> predictions = consumer(topics.predictions());
             EventStream stream = Streams.open(elec2.toString(), null, null, Set.of(), limit)) {
            Schema schema = stream.schema();
            expect(201, service.post("/v1/models", new JsonObject().put("name", "elec2").put("model", model)
                    .put("schema", DefinitionJson.schema(schema))));
            List<String> labels = new ArrayList<>();
            int delivered = 0;
            long seen = 0;
            for (int t = 0; stream.hasNext(); t++) {
                LabelledEvent event = stream.next();
                // as the HTTP replay with batches of one: labels of events up to t−K are learned before t is scored
                while (delivered < labels.size() && delivered <= t - Math.max(delay, 1)) {
                    sendLabel(producer, topics, delivered, labels.get(delivered));
                    delivered++;
                }
                int learnedSoFar = delivered;
                eventually(() -> learned(service, "elec2") == learnedSoFar);
                send(producer, topics.transactions(), "x" + t, new JsonObject().put("model", "elec2").put("id", "x" + t)
                        .put("features", features(schema, event)).encode().getBytes(StandardCharsets.UTF_8));
                labels.add(schema.classes().get((int) event.instance().classValue()));
                seen = awaitPrediction(predictions, seen, "x" + t);
            }
            while (delivered < labels.size()) {
                sendLabel(producer, topics, delivered, labels.get(delivered));
                delivered++;
            }
            eventually(() -> learned(service, "elec2") == limit);
            served = expect(200, service.get("/v1/models/elec2"));
        }
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        int status = io.vigie.datasets.cli.Main.run(new String[]{"eval", "--json", "--data", elec2.toString(), "--model", model,
                "--delay", Integer.toString(delay), "--limit", Integer.toString(limit)}, new PrintStream(out, true, StandardCharsets.UTF_8),
                new PrintStream(new ByteArrayOutputStream(), true, StandardCharsets.UTF_8));
        assertEquals(0, status);
        JsonObject evaluated = new JsonObject(out.toString(StandardCharsets.UTF_8).lines().reduce((a, b) -> b).orElseThrow());
        JsonObject m = served.getJsonObject("metrics").getJsonObject("cumulative");
        assertEquals(evaluated.getDouble("accuracy"), m.getDouble("accuracy"));
        assertEquals(evaluated.getDouble("kappa"), m.getDouble("kappa"));
        assertEquals(evaluated.getDouble("coverage"), m.getDouble("coverage"));
        assertEquals(evaluated.getDouble("abstention_rate"), m.getDouble("abstention_rate"));
        assertEquals(evaluated.getLong("learned") + delay, served.getLong("learned"));
    }

    @Test
    void anIngestErrorIsRetriedAndShown_neverASilentStop() throws Exception {
        Topics topics = new Topics("refused");
        topics.create();
        // a topic name the broker refuses: every poll fails, as with a missing ACL or a broken broker
        JsonObject config = topics.config("refused");
        config.getJsonObject("kafka").getJsonObject("topics").put("labels", "not a valid topic!");
        try (TestService service = new TestService(dataDir, config);
             KafkaProducer<String, byte[]> producer = producer()) {
            eventually(() -> kafkaHealth(service).getLong("errors") >= 1);
            JsonObject kafka = kafkaHealth(service);
            assertEquals("poll", kafka.getJsonObject("last_error").getString("stage"));
            assertTrue(kafka.getJsonObject("last_error").getString("message").contains("not a valid topic!"), kafka.encode());
            assertEquals(200, service.get("/health/ready").statusCode(), "HTTP still serves");
            String metrics = service.get("/metrics").body();
            assertTrue(metrics.contains("vigie_kafka_errors_total{stage=\"poll\"}"), "counted by stage");

            // the ingest goes on after the error: the topics that exist are consumed
            expect(201, service.post("/v1/models", ServiceApiTest.modelRequest("cards", "nb")));
            Random random = new Random(5);
            for (int i = 0; i < 20; i++) {
                send(producer, topics.events(), "e" + i, cardsEvent("e" + i, ServiceApiTest.features(random)));
            }
            eventually(() -> learned(service, "cards") == 20);
            eventually(() -> "consuming".equals(kafkaHealth(service).getString("state")));
            assertTrue(service.get("/metrics").body().contains("vigie_kafka_ingest_up 1.0"));
        }
    }

    private static JsonObject kafkaHealth(TestService service) {
        try {
            return new JsonObject(service.get("/health/ready").body()).getJsonObject("kafka");
        } catch (Exception e) {
            throw new AssertionError(e);
        }
    }

    private static void sendLabel(KafkaProducer<String, byte[]> producer, Topics topics, int index, String label) throws Exception {
        send(producer, topics.labels(), "x" + index, new JsonObject().put("model", "elec2").put("id", "x" + index).put("label", label)
                .encode().getBytes(StandardCharsets.UTF_8));
    }

    /** Reads the predictions topic until the prediction for {@code id} arrives; returns how many were read. */
    private static long awaitPrediction(KafkaConsumer<String, byte[]> predictions, long seen, String id) {
        long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(60);
        while (System.nanoTime() < deadline) {
            for (ConsumerRecord<String, byte[]> record : predictions.poll(Duration.ofMillis(50))) {
                seen++;
                if (record.key().equals(id)) {
                    return seen;
                }
            }
        }
        throw new AssertionError("no prediction for " + id + " within 60 s");
    }

    private static JsonObject features(Schema schema, LabelledEvent event) {
        JsonObject features = new JsonObject();
        schema.namedValues(event.instance().toDoubleArray()).forEach(features::put);
        return features;
    }

    /** The labels of events g{from}..g{to − 1} of model "agrawal", sent without waiting for each. */
    private static void sendLabels(KafkaProducer<String, byte[]> producer, Topics topics, List<String> labels, int from, int to) {
        for (int i = from; i < to; i++) {
            producer.send(new ProducerRecord<>(topics.labels(), "g" + i, new JsonObject().put("model", "agrawal").put("id", "g" + i)
                    .put("label", labels.get(i)).encode().getBytes(StandardCharsets.UTF_8)));
        }
    }

        private static long predictions(TestService service, String model) {
        try {
            return expect(200, service.get("/v1/models/" + model)).getLong("predictions");
        } catch (Exception e) {
            throw new AssertionError(e);
        }
    }

    private static long learned(TestService service, String model) {
        try {
            return expect(200, service.get("/v1/models/" + model)).getLong("learned");
        } catch (Exception e) {
            throw new AssertionError(e);
        }
    }

    /** Whether a consumer group has committed every input partition up to its end. */
    private static boolean caughtUp(String group, Topics topics) {
        try (var admin = broker.admin()) {
            Map<TopicPartition, OffsetAndMetadata> committed = admin.listConsumerGroupOffsets(group)
                    .partitionsToOffsetAndMetadata().get(10, TimeUnit.SECONDS);
            try (KafkaConsumer<String, byte[]> probe = consumer(null)) {
                for (String topic : List.of(topics.transactions(), topics.labels(), topics.events())) {
                    TopicPartition partition = new TopicPartition(topic, 0);
                    long end = probe.endOffsets(List.of(partition)).get(partition);
                    OffsetAndMetadata at = committed.get(partition);
                    if (end > 0 && (at == null || at.offset() < end)) {
                        return false;
                    }
                }
            }
            return true;
        } catch (Exception e) {
            return false;
        }
    }

    /** Polls a condition until it holds, for at most 60 s (the service works asynchronously from Kafka). */
    private static void eventually(BooleanSupplier condition) throws InterruptedException {
        long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(60);
        while (!condition.getAsBoolean()) {
            if (System.nanoTime() > deadline) {
                throw new AssertionError("condition not met within 60 s");
            }
            Thread.sleep(20); // polling interval, not synchronisation: the condition decides
        }
    }

    /** A labelled event of model 'cards', its label the rule {@link ServiceApiTest#truth} gives. */
    private static byte[] cardsEvent(String id, JsonObject features) {
        return new JsonObject().put("model", "cards").put("id", id).put("features", features).put("label", ServiceApiTest.truth(features))
                .encode().getBytes(StandardCharsets.UTF_8);
    }

    private static KafkaProducer<String, byte[]> producer() {
        return new KafkaProducer<>(Map.of(ProducerConfig.BOOTSTRAP_SERVERS_CONFIG, broker.bootstrap(),
                ProducerConfig.LINGER_MS_CONFIG, 0, ProducerConfig.ACKS_CONFIG, "all"), new StringSerializer(), new ByteArraySerializer());
    }

    private static void send(KafkaProducer<String, byte[]> producer, String topic, String key, byte[] value) throws Exception {
        producer.send(new ProducerRecord<>(topic, key, value)).get(30, TimeUnit.SECONDS);
    }

    /** A consumer reading a whole topic from the start (no group); a null topic gives an unassigned consumer. */
    private static KafkaConsumer<String, byte[]> consumer(String topic) {
        KafkaConsumer<String, byte[]> consumer = new KafkaConsumer<>(Map.of(ConsumerConfig.BOOTSTRAP_SERVERS_CONFIG, broker.bootstrap(),
                ConsumerConfig.AUTO_OFFSET_RESET_CONFIG, "earliest", ConsumerConfig.ENABLE_AUTO_COMMIT_CONFIG, false),
                new StringDeserializer(), new ByteArrayDeserializer());
        if (topic != null) {
            TopicPartition partition = new TopicPartition(topic, 0);
            consumer.assign(List.of(partition));
            consumer.seekToBeginning(List.of(partition));
        }
        return consumer;
    }

    private static List<ConsumerRecord<String, byte[]>> read(String topic, int count) {
        List<ConsumerRecord<String, byte[]>> records = new ArrayList<>();
        try (KafkaConsumer<String, byte[]> consumer = consumer(topic)) {
            long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(60);
            while (records.size() < count && System.nanoTime() < deadline) {
                consumer.poll(Duration.ofMillis(100)).forEach(records::add);
            }
        }
        assertEquals(count, records.size(), "records on " + topic);
        return records;
    }
}
