package io.vigie.server;

import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;
import io.vigie.server.cluster.Ownership;
import org.apache.kafka.clients.admin.Admin;
import org.apache.kafka.clients.admin.AdminClientConfig;
import org.apache.kafka.clients.admin.NewTopic;
import org.apache.kafka.clients.admin.OffsetSpec;
import org.apache.kafka.common.TopicPartition;
import org.apache.kafka.clients.producer.KafkaProducer;
import org.apache.kafka.clients.producer.ProducerConfig;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.apache.kafka.common.serialization.ByteArraySerializer;
import org.apache.kafka.common.serialization.StringSerializer;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Random;
import java.util.Set;
import java.util.concurrent.TimeUnit;
import java.util.function.BooleanSupplier;

import static io.vigie.server.TestService.expect;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * Instances started with one cluster name on a real KRaft broker are one service: every instance
 * knows every model, each model has one owner, a request to any instance is answered by the owner,
 * and the feed's records (keyed by event id) reach the owner of their model.
 */
class ClusterTest {
    @TempDir
    static Path brokerDir;
    static KafkaBroker broker;

    @TempDir
    Path dir;

    @BeforeAll
    static void startBroker() throws Exception {
        broker = new KafkaBroker(brokerDir);
    }

    @AfterAll
    static void stopBroker() throws Exception {
        broker.close();
    }

    private static JsonObject member(String cluster, String prefix) {
        return new JsonObject()
                .put("kafka", new JsonObject().put("bootstrap", broker.bootstrap()).put("group", prefix)
                        .put("topics", new JsonObject().put("transactions", prefix + ".transactions").put("labels", prefix + ".labels")
                                .put("events", prefix + ".events").put("predictions", prefix + ".predictions")
                                .put("dead_letter", prefix + ".dead-letter").put("drift", prefix + ".drift")))
                .put("cluster", new JsonObject().put("name", cluster).put("partitions", 6).put("session_timeout_ms", 6_000));
    }

    @Test
    void everyInstanceKnowsEveryModel_eachHasOneOwner_andAnyInstanceAnswersForIt() throws Exception {
        try (TestService a = new TestService(dir.resolve("a"), member("one", "one"));
             TestService b = new TestService(dir.resolve("b"), member("one", "one"))) {
            awaitPartitionsSplit(a, b);
            List<String> names = List.of("m0", "m1", "m2", "m3", "m4", "m5", "m6", "m7");
            for (String name : names) {
                expect(201, a.post("/v1/models", ServiceApiTest.modelRequest(name, "hat")));
            }
            Set<String> owners = new HashSet<>();
            Random random = new Random(3);
            for (String name : names) {
                eventually(() -> status(b, "/v1/models/" + name) == 200); // b applies the control topic's records on its own
                String owner = expect(200, a.get("/v1/models/" + name)).getString("owner");
                assertEquals(owner, expect(200, b.get("/v1/models/" + name)).getString("owner"), name + ": one owner, seen alike");
                assertTrue(owner.equals(address(a)) || owner.equals(address(b)), owner);
                owners.add(owner);
                TestService owning = owner.equals(address(a)) ? a : b;
                // labelled events posted to the instance that does not own the model are learned by the owner
                TestService elsewhere = owner.equals(address(a)) ? b : a;
                JsonArray events = new JsonArray();
                for (int i = 0; i < 50; i++) {
                    JsonObject f = ServiceApiTest.features(random);
                    events.add(new JsonObject().put("id", name + "-e" + i).put("features", f).put("label", ServiceApiTest.truth(f)));
                }
                expect(202, elsewhere.post("/v1/models/" + name + "/events", new JsonObject().put("events", events)));
                JsonObject answer = expect(200, elsewhere.post("/v1/models/" + name + "/predict", new JsonObject().put("id", name + "-p")
                        .put("features", ServiceApiTest.features(random))));
                assertTrue(answer.containsKey("label") || answer.containsKey("abstained"), answer.encode());
                JsonObject model = expect(200, owning.get("/v1/models/" + name));
                assertEquals(50, model.getJsonObject("labels").getLong("learned"), name + ": learned by its owner");
                assertEquals(1, model.getLong("predictions"), name);
                assertEquals(model, expect(200, elsewhere.get("/v1/models/" + name)), name + ": the other instance answers as the owner");
            }
            assertEquals(2, owners.size(), "both instances own some of the eight models: " + owners);

            JsonArray listed = expect(200, b.get("/v1/models")).getJsonArray("models");
            assertEquals(names.size(), listed.size(), listed.encode());
            for (Object entry : listed) {
                JsonObject summary = (JsonObject) entry;
                assertEquals("serving", summary.getString("status"), summary.encode());
                assertEquals(50, summary.getLong("learned"), "each model as its owner has it: " + summary.encode());
            }

            assertEquals(409, a.post("/v1/models", ServiceApiTest.modelRequest("m3", "nb")).statusCode(), "a name is taken cluster-wide");
            assertEquals(409, b.post("/v1/models", ServiceApiTest.modelRequest("m3", "nb")).statusCode());
            expect(204, b.send("DELETE", "/v1/models/m3", TestService.ADMIN, null));
            eventually(() -> status(a, "/v1/models/m3") == 404);
            assertEquals(404, status(b, "/v1/models/m3"));

            b.close(); // a clean stop leaves the owners' group: its models move to a at once
            eventually(() -> partitions(a).size() == 6);
            for (String name : names) {
                if (!name.equals("m3")) {
                    assertEquals(address(a), expect(200, a.get("/v1/models/" + name)).getString("owner"), name);
                }
            }
        }
    }

    @Test
    void theFeedKeyedByEventId_reachesEachModelsOwner_andEveryLabelIsLearnedOnce() throws Exception {
        broker.admin().createTopics(List.of(new NewTopic("two.transactions", 3, (short) 1), new NewTopic("two.labels", 3, (short) 1),
                new NewTopic("two.events", 3, (short) 1), new NewTopic("two.predictions", 1, (short) 1),
                new NewTopic("two.dead-letter", 1, (short) 1), new NewTopic("two.drift", 1, (short) 1))).all().get(60, TimeUnit.SECONDS);
        try (TestService a = new TestService(dir.resolve("a"), member("two", "two"));
             TestService b = new TestService(dir.resolve("b"), member("two", "two"));
             KafkaProducer<String, byte[]> producer = new KafkaProducer<>(Map.of(ProducerConfig.BOOTSTRAP_SERVERS_CONFIG, broker.bootstrap(),
                     ProducerConfig.ACKS_CONFIG, "all"), new StringSerializer(), new ByteArraySerializer())) {
            awaitPartitionsSplit(a, b);
            List<String> names = List.of("f0", "f1", "f2", "f3");
            for (String name : names) {
                expect(201, b.post("/v1/models", ServiceApiTest.modelRequest(name, "hat")));
            }
            Random random = new Random(11);
            int perModel = 200;
            List<String[]> labels = new ArrayList<>();
            for (int i = 0; i < perModel; i++) {
                for (String name : names) {
                    String id = name + "-t" + i;
                    JsonObject f = ServiceApiTest.features(random);
                    producer.send(new ProducerRecord<>("two.transactions", id, bytes(new JsonObject().put("model", name).put("id", id)
                            .put("features", f))));
                    labels.add(new String[]{name, id, ServiceApiTest.truth(f)});
                }
            }
            producer.flush();
            for (String name : names) { // every transaction scored before its label is sent: none can arrive first
                eventually(() -> predictions(a, name) == perModel);
            }
            for (String[] label : labels) {
                producer.send(new ProducerRecord<>("two.labels", label[1], bytes(new JsonObject().put("model", label[0]).put("id", label[1])
                        .put("label", label[2]))));
            }
            producer.flush();
            for (String name : names) {
                eventually(() -> learned(b, name) == perModel);
                JsonObject model = expect(200, a.get("/v1/models/" + name));
                assertEquals(0, model.getJsonObject("labels").getLong("unknown_id"), name);
                assertEquals(0, model.getJsonObject("labels").getLong("duplicate"), name);
                assertEquals(perModel, model.getLong("predictions"), name + ": each transaction scored once");
            }
        }
    }

    @Test
    void aModelThatMoves_goesOnFromItsFormerOwnersState_andEndsAsOneInstanceWouldHaveLearnedIt() throws Exception {
        broker.createTopics("three.transactions", "three.labels", "three.events", "three.predictions", "three.dead-letter",
                "three.drift"); // one partition each: the feed's order is the order a single instance is given below
        List<String> names = List.of("g0", "g1", "g2", "g3", "g4", "g5", "g6", "g7");
        int perModel = 300;
        Random random = new Random(5);
        List<JsonObject> stream = new ArrayList<>(); // event i of every model, then event i + 1
        for (int i = 0; i < perModel; i++) {
            for (String name : names) {
                JsonObject f = ServiceApiTest.features(random);
                stream.add(new JsonObject().put("model", name).put("id", name + "-e" + i).put("features", f)
                        .put("label", ServiceApiTest.truth(f)));
            }
        }
        JsonArray probes = new JsonArray();
        for (int i = 0; i < 100; i++) {
            probes.add(new JsonObject().put("id", "probe" + i).put("features", ServiceApiTest.features(random)));
        }
        int third = perModel / 3 * names.size();
        TestService a = new TestService(dir.resolve("a"), member("three", "three"));
        try (a; TestService b = new TestService(dir.resolve("b"), member("three", "three"));
             KafkaProducer<String, byte[]> producer = new KafkaProducer<>(Map.of(ProducerConfig.BOOTSTRAP_SERVERS_CONFIG, broker.bootstrap(),
                     ProducerConfig.ACKS_CONFIG, "all"), new StringSerializer(), new ByteArraySerializer())) {
            awaitPartitionsSplit(a, b);
            for (String name : names) {
                expect(201, a.post("/v1/models", ServiceApiTest.modelRequest(name, "hat")));
            }
            List<String> ownedByB = new ArrayList<>();
            for (String name : names) {
                if (expect(200, a.get("/v1/models/" + name)).getString("owner").equals(address(b))) {
                    ownedByB.add(name);
                }
            }
            assertTrue(!ownedByB.isEmpty() && ownedByB.size() < names.size(), "both own some: " + ownedByB);
            // two thirds scored, the first third labelled: b's models move with a third of their events waiting for labels
            transactions(producer, stream.subList(0, 2 * third), a, names, 2 * perModel / 3);
            labels(producer, stream.subList(0, third), a, names, perModel / 3);
            b.close();
            eventually(() -> partitions(a).size() == 6);
            labels(producer, stream.subList(third, 2 * third), a, names, 2 * perModel / 3);
            transactions(producer, stream.subList(2 * third, stream.size()), a, names, perModel);
            labels(producer, stream.subList(2 * third, stream.size()), a, names, perModel);
            try (TestService single = new TestService(dir.resolve("single"))) {
                for (String name : names) {
                    expect(201, single.post("/v1/models", ServiceApiTest.modelRequest(name, "hat")));
                    List<JsonObject> own = stream.stream().filter(e -> e.getString("model").equals(name)).toList();
                    int k = perModel / 3;
                    score(single, name, own.subList(0, 2 * k));
                    label(single, name, own.subList(0, 2 * k)); // the same labels in the same order
                    score(single, name, own.subList(2 * k, perModel));
                    label(single, name, own.subList(2 * k, perModel));
                    JsonObject model = expect(200, a.get("/v1/models/" + name));
                    String which = name + (ownedByB.contains(name) ? " (moved)" : "");
                    assertEquals(perModel, model.getJsonObject("labels").getLong("learned"), which + ": every label learned once");
                    assertEquals(0, model.getJsonObject("labels").getLong("unknown_id"), which + ": every label found its event");
                    assertEquals(expect(200, single.get("/v1/models/" + name)).getLong("version"), model.getLong("version"), which);
                    JsonArray moved = expect(200, a.post("/v1/models/" + name + "/predict/batch", new JsonObject().put("events", probes)))
                            .getJsonArray("predictions");
                    JsonArray alone = expect(200, single.post("/v1/models/" + name + "/predict/batch", new JsonObject()
                            .put("events", probes))).getJsonArray("predictions");
                    for (int i = 0; i < probes.size(); i++) {
                        assertEquals(alone.getJsonObject(i).getJsonObject("probabilities"),
                                moved.getJsonObject(i).getJsonObject("probabilities"), which + ", probe " + i);
                    }
                }
            }
        }
    }

    @Test
    void aModelWithComputedFeatures_movesWithItsEntitiesWindows() throws Exception {
        TestService a = new TestService(dir.resolve("a"), member("five", "five"));
        TestService b = new TestService(dir.resolve("b"), member("five", "five"));
        try (a; b) {
            awaitPartitionsSplit(a, b);
            JsonArray features = new JsonArray().add(new JsonObject().put("name", "amount")).add(new JsonObject().put("name", "card_tx_1d"));
            expect(201, a.post("/v1/models", new JsonObject().put("name", "agg").put("model", "nb")
                    .put("schema", new JsonObject().put("features", features).put("classes", new JsonArray().add("ok").add("fraud")))
                    .put("keys", new JsonArray().add("card")).put("aggregates", new JsonArray().add(new JsonObject()
                            .put("feature", "card_tx_1d").put("key", "card").put("function", "count").put("window", "P1D")))));
            eventually(() -> status(a, "/v1/models/agg") == 200 && status(b, "/v1/models/agg") == 200); // both have read it
            TestService owner = expect(200, a.get("/v1/models/agg")).getString("owner").equals(address(a)) ? a : b;
            TestService other = owner == a ? b : a;
            java.time.Instant day = java.time.Instant.parse("2018-04-01T00:00:00Z");
            for (int i = 0; i < 3; i++) { // three events of one card, scored by the owner (asked through the other)
                expect(200, other.post("/v1/models/agg/predict", new JsonObject().put("id", "t" + i).put("time", day.plusSeconds(i).toString())
                        .put("features", new JsonObject().put("amount", 10.0 * i)).put("keys", new JsonObject().put("card", "c1"))));
            }
            owner.close(); // the card's window moves with the model
            eventually(() -> partitions(other).size() == 6);
            JsonObject fourth = expect(200, other.post("/v1/models/agg/predict?explain=true", new JsonObject().put("id", "t3")
                    .put("time", day.plusSeconds(3).toString()).put("features", new JsonObject().put("amount", 30.0))
                    .put("keys", new JsonObject().put("card", "c1"))));
            assertEquals(4.0, fourth.getJsonObject("computed").getDouble("card_tx_1d"), "the card's fourth event that day: " + fourth);
        }
    }

    @Test
    void aNewInstance_startsModelsFromTheirSnapshotsInKafka_andTheLogBehindThemIsCut() throws Exception {
        String brief = "brief"; // its events wait two seconds for a label: its log goes soon after
        String kept = java.util.stream.IntStream.range(0, 100).mapToObj(i -> "kept" + i)
                .filter(n -> Ownership.partition(n, 6) != Ownership.partition(brief, 6)).findFirst().orElseThrow();
        Random random = new Random(11);
        List<JsonObject> briefEvents = labelledEvents(random, "b", 600);
        List<JsonObject> keptEvents = labelledEvents(random, "k", 500);
        JsonArray probes = new JsonArray();
        for (int i = 0; i < 100; i++) {
            probes.add(new JsonObject().put("id", "probe" + i).put("features", ServiceApiTest.features(random)));
        }
        JsonObject config = member("seven", "seven").put("snapshot_every", 100).put("keep_versions", 2);
        TestService single = new TestService(dir.resolve("single"));
        TestService a = new TestService(dir.resolve("a"), config);
        try (single; a; Admin admin = Admin.create(Map.of(AdminClientConfig.BOOTSTRAP_SERVERS_CONFIG, broker.bootstrap()))) {
            eventually(() -> partitions(a).size() == 6);
            for (TestService service : List.of(a, single)) {
                expect(201, service.post("/v1/models", ServiceApiTest.modelRequest(brief, "hat").put("label_ttl", "PT2S")));
                expect(201, service.post("/v1/models", ServiceApiTest.modelRequest(kept, "hat")));
                learn(service, brief, briefEvents);
                learn(service, kept, keptEvents.subList(0, 300));
                score(service, kept, keptEvents.subList(300, 500));
                label(service, kept, keptEvents.subList(300, 450)); // snapshots are taken among these labels
            }
            TopicPartition briefLog = new TopicPartition("seven.log", Ownership.partition(brief, 6));
            eventually(() -> logStart(admin, briefLog) > 0); // once older than its TTL, behind the snapshot in Kafka
            // Kafka holds the versions the owner keeps (two periodic ones), not all six it took
            eventually(() -> versionsInKafka("seven.snapshots", brief + "@").size() == 2);
            try (TestService b = new TestService(dir.resolve("b"), config)) {
                awaitPartitionsSplit(a, b);
                a.close();
                eventually(() -> partitions(b).size() == 6);
                for (String name : List.of(brief, kept)) {
                    long oldest = expect(200, b.get("/v1/models/" + name + "/versions")).getJsonArray("versions").getJsonObject(0)
                            .getLong("version");
                    assertTrue(oldest > 0, name + " started from a snapshot, not from its first record: " + oldest);
                }
                // labels after the move: twenty learned before it (at or before b's snapshot), and the fifty still waiting
                List<JsonObject> late = new ArrayList<>(keptEvents.subList(300, 320));
                late.addAll(keptEvents.subList(450, 500));
                assertEquals(labelsAnswer(single, kept, late), labelsAnswer(b, kept, late), "the same label outcomes, one by one");
                for (String name : List.of(brief, kept)) {
                    JsonObject moved = expect(200, b.get("/v1/models/" + name));
                    JsonObject alone = expect(200, single.get("/v1/models/" + name));
                    assertEquals(alone.getLong("version"), moved.getLong("version"), name);
                    assertEquals(alone.getJsonObject("labels").getLong("learned"), moved.getJsonObject("labels").getLong("learned"), name);
                    JsonArray fromB = expect(200, b.post("/v1/models/" + name + "/predict/batch", new JsonObject().put("events", probes)))
                            .getJsonArray("predictions");
                    JsonArray fromSingle = expect(200, single.post("/v1/models/" + name + "/predict/batch",
                            new JsonObject().put("events", probes))).getJsonArray("predictions");
                    for (int i = 0; i < probes.size(); i++) {
                        assertEquals(fromSingle.getJsonObject(i).getJsonObject("probabilities"),
                                fromB.getJsonObject(i).getJsonObject("probabilities"), name + ", probe " + i);
                    }
                }
            }
        }
    }

    /**
     * An instance away while the log was cut behind its copy of a model cannot follow on from that
     * copy: it starts the model again from its newest snapshot in Kafka, and ends where its owner is.
     */
    @Test
    void anInstanceAwayWhileTheLogWasCut_startsItsCopyAgainFromTheClustersSnapshot() throws Exception {
        String name = "brief"; // its events wait a second for a label: its log goes soon after
        Random random = new Random(13);
        List<JsonObject> events = labelledEvents(random, "e", 800);
        JsonArray probes = new JsonArray();
        for (int i = 0; i < 50; i++) {
            probes.add(new JsonObject().put("id", "probe" + i).put("features", ServiceApiTest.features(random)));
        }
        JsonObject config = member("ten", "ten").put("snapshot_every", 100);
        TopicPartition log = new TopicPartition("ten.log", Ownership.partition(name, 6));
        try (Admin admin = Admin.create(Map.of(AdminClientConfig.BOOTSTRAP_SERVERS_CONFIG, broker.bootstrap()))) {
            long endWhenAway;
            long versionWhenAway;
            long version;
            JsonArray fromA;
            try (TestService a = new TestService(dir.resolve("a"), config)) {
                try (TestService b = new TestService(dir.resolve("b"), config)) {
                    awaitPartitionsSplit(a, b);
                    expect(201, a.post("/v1/models", ServiceApiTest.modelRequest(name, "hat").put("label_ttl", "PT1S")));
                    learn(a, name, events.subList(0, 200));
                    versionWhenAway = expect(200, a.get("/v1/models/" + name)).getLong("version");
                    endWhenAway = admin.listOffsets(Map.of(log, OffsetSpec.latest())).partitionResult(log).get(30, TimeUnit.SECONDS)
                            .offset();
                }
                eventually(() -> partitions(a).size() == 6); // a alone: it answers for itself
                learn(a, name, events.subList(200, 800));
                eventually(() -> logStart(admin, log) > endWhenAway); // what b would follow on from is gone
                version = expect(200, a.get("/v1/models/" + name)).getLong("version");
                fromA = expect(200, a.post("/v1/models/" + name + "/predict/batch", new JsonObject().put("events", probes)))
                        .getJsonArray("predictions");
                try (TestService b = new TestService(dir.resolve("b"), config)) {
                    awaitPartitionsSplit(a, b);
                    a.close();
                    eventually(() -> partitions(b).size() == 6); // b alone: what it answers is its own copy
                    assertEquals(version, expect(200, b.get("/v1/models/" + name)).getLong("version"));
                    long oldest = expect(200, b.get("/v1/models/" + name + "/versions")).getJsonArray("versions").getJsonObject(0)
                            .getLong("version");
                    assertTrue(oldest > versionWhenAway, "b's copy started again from a snapshot taken while it was away: " + oldest);
                    probes.forEach(p -> ((JsonObject) p).put("id", "again-" + ((JsonObject) p).getString("id")));
                    JsonArray fromB = expect(200, b.post("/v1/models/" + name + "/predict/batch", new JsonObject().put("events", probes)))
                            .getJsonArray("predictions");
                    for (int i = 0; i < probes.size(); i++) {
                        assertEquals(fromA.getJsonObject(i).getJsonObject("probabilities"),
                                fromB.getJsonObject(i).getJsonObject("probabilities"), "probe " + i);
                    }
                }
            }
        }
    }

    @Test
    void aRollbackToAVersionTakenByHandOnTheOwner_isReplayedByTheOtherInstances() throws Exception {
        Random random = new Random(13);
        List<JsonObject> events = labelledEvents(random, "r", 500);
        JsonArray probes = new JsonArray();
        for (int i = 0; i < 100; i++) {
            probes.add(new JsonObject().put("id", "probe" + i).put("features", ServiceApiTest.features(random)));
        }
        TestService single = new TestService(dir.resolve("single"));
        TestService a = new TestService(dir.resolve("a"), member("nine", "nine"));
        TestService b = new TestService(dir.resolve("b"), member("nine", "nine"));
        try (single; a; b) {
            awaitPartitionsSplit(a, b);
            expect(201, a.post("/v1/models", ServiceApiTest.modelRequest("r", "hat")));
            eventually(() -> status(a, "/v1/models/r") == 200 && status(b, "/v1/models/r") == 200);
            TestService owner = expect(200, a.get("/v1/models/r")).getString("owner").equals(address(a)) ? a : b;
            TestService other = owner == a ? b : a;
            long byHand = 0;
            long later = 0;
            for (TestService service : List.of(owner, single)) {
                if (service == single) {
                    expect(201, single.post("/v1/models", ServiceApiTest.modelRequest("r", "hat")));
                }
                learn(service, "r", events.subList(0, 200));
                byHand = expect(201, service.post("/v1/models/r/versions", new JsonObject())).getLong("version");
                learn(service, "r", events.subList(200, 400));
                expect(200, service.post("/v1/models/r/rollback", new JsonObject().put("version", byHand)));
                learn(service, "r", events.subList(400, 450));
                later = expect(201, service.post("/v1/models/r/versions", new JsonObject())).getLong("version");
                learn(service, "r", events.subList(450, 500));
            }
            long kept = later;
            eventually(() -> versionsInKafka("nine.snapshots", "r@").contains(kept)); // published by its owner, within a second
            owner.close(); // the other instance replayed the rollback, with the owner's version read from Kafka
            eventually(() -> partitions(other).size() == 6);
            long target = byHand;
            assertTrue(expect(200, other.get("/v1/models/r/versions")).getJsonArray("versions").stream()
                    .anyMatch(v -> ((JsonObject) v).getLong("version") == target), "the version taken by hand, kept where it was replayed");
            // a version only the former owner took: the new owner rolls back to it from Kafka
            assertTrue(expect(200, other.get("/v1/models/r/versions")).getJsonArray("versions").stream()
                    .noneMatch(v -> ((JsonObject) v).getLong("version") == kept), "not taken here");
            for (TestService service : List.of(other, single)) {
                expect(200, service.post("/v1/models/r/rollback", new JsonObject().put("version", kept)));
            }
            assertEquals(expect(200, single.get("/v1/models/r")).getLong("version"), expect(200, other.get("/v1/models/r")).getLong("version"));
            JsonArray moved = expect(200, other.post("/v1/models/r/predict/batch", new JsonObject().put("events", probes)))
                    .getJsonArray("predictions");
            JsonArray alone = expect(200, single.post("/v1/models/r/predict/batch", new JsonObject().put("events", probes)))
                    .getJsonArray("predictions");
            for (int i = 0; i < probes.size(); i++) {
                assertEquals(alone.getJsonObject(i).getJsonObject("probabilities"), moved.getJsonObject(i).getJsonObject("probabilities"),
                        "probe " + i);
            }
        }
    }

    @Test
    void apiKeysAndTheAuditLog_areTheClusters() throws Exception {
        String kept;
        String revoked;
        TestService a = new TestService(dir.resolve("a"), member("eight", "eight"));
        TestService b = new TestService(dir.resolve("b"), member("eight", "eight"));
        try (a; b) {
            awaitPartitionsSplit(a, b);
            JsonObject created = expect(201, a.post("/v1/keys", new JsonObject().put("roles", new JsonArray().add("read"))));
            String key = created.getString("key");
            String id = created.getString("id");
            kept = expect(201, b.post("/v1/keys", new JsonObject().put("roles", new JsonArray().add("read")))).getString("key");
            revoked = key;
            expect(201, b.post("/v1/models", ServiceApiTest.modelRequest("m", "nb")));
            eventually(() -> status(a, "/v1/models/m") == 200);
            for (TestService service : List.of(a, b)) { // on either instance, whichever owns the model and answers
                expect(200, service.send("GET", "/v1/models/m", key, null));
                assertTrue(expect(200, service.get("/v1/keys")).getJsonArray("keys").stream()
                        .anyMatch(k -> ((JsonObject) k).getString("id").equals(id)), "every instance lists the key");
            }
            assertEquals(204, b.send("DELETE", "/v1/keys/" + id, TestService.ADMIN, null).statusCode());
            assertEquals(401, b.send("GET", "/v1/models/m", key, null).statusCode(), "revoked where it was revoked at once");
            eventually(() -> {
                try {
                    return a.send("GET", "/v1/models/m", key, null).statusCode() == 401;
                } catch (Exception e) {
                    return false;
                }
            });
            JsonArray ofA = expect(200, a.get("/v1/audit")).getJsonArray("entries");
            JsonArray ofB = expect(200, b.get("/v1/audit")).getJsonArray("entries");
            assertEquals(ofB, ofA, "one audit log, the same on every instance");
            assertEquals(List.of("key.create", "key.create", "model.create", "key.revoke"), ofA.stream()
                    .map(e -> ((JsonObject) e).getString("action")).toList());
            assertEquals(List.of(1L, 2L, 3L, 4L), ofA.stream().map(e -> ((JsonObject) e).getLong("seq")).toList());
            assertNotEquals(ofA.getJsonObject(0).getString("instance"), ofA.getJsonObject(3).getString("instance"),
                    "each entry names the instance that made the change");
        }
        // the cluster's keys are not kept on an instance's disk: a restart learns them, revocations included, from the cluster
        try (TestService again = new TestService(dir.resolve("a"), member("eight", "eight"))) {
            eventually(() -> partitions(again).size() == 6);
            expect(200, again.send("GET", "/v1/models/m", kept, null));
            assertEquals(401, again.send("GET", "/v1/models/m", revoked, null).statusCode());
            assertEquals(4, expect(200, again.get("/v1/audit")).getJsonArray("entries").size());
        }
    }

    private static List<JsonObject> labelledEvents(Random random, String prefix, int count) {
        List<JsonObject> events = new ArrayList<>();
        for (int i = 0; i < count; i++) {
            JsonObject f = ServiceApiTest.features(random);
            events.add(new JsonObject().put("id", prefix + i).put("features", f).put("label", ServiceApiTest.truth(f)));
        }
        return events;
    }

    /** Labelled events learned through the events route, in batches of a hundred. */
    private static void learn(TestService service, String name, List<JsonObject> events) throws Exception {
        for (int from = 0; from < events.size(); from += 100) {
            expect(202, service.post("/v1/models/" + name + "/events", new JsonObject()
                    .put("events", new JsonArray(new ArrayList<>(events.subList(from, Math.min(events.size(), from + 100)))))));
        }
    }

    /** What a batch of labels answers, item by item. */
    private static JsonArray labelsAnswer(TestService service, String name, List<JsonObject> events) throws Exception {
        JsonArray batch = new JsonArray();
        events.forEach(e -> batch.add(new JsonObject().put("id", e.getString("id")).put("label", e.getString("label"))));
        return expect(202, service.post("/v1/models/" + name + "/labels", new JsonObject().put("labels", batch))).getJsonArray("results");
    }

    /** The versions a snapshot topic holds of a model, as compaction leaves them: the chunks' keys read to the end, the last of each. */
    private static Set<Long> versionsInKafka(String topic, String modelPrefix) {
        Map<String, byte[]> latest = new java.util.HashMap<>();
        try (org.apache.kafka.clients.consumer.KafkaConsumer<String, byte[]> consumer = new org.apache.kafka.clients.consumer.KafkaConsumer<>(
                Map.of("bootstrap.servers", broker.bootstrap(), "isolation.level", "read_committed", "enable.auto.commit", false),
                new org.apache.kafka.common.serialization.StringDeserializer(),
                new org.apache.kafka.common.serialization.ByteArrayDeserializer())) {
            List<TopicPartition> partitions = new ArrayList<>();
            for (int p = 0; p < 6; p++) {
                partitions.add(new TopicPartition(topic, p));
            }
            consumer.assign(partitions);
            consumer.seekToBeginning(partitions);
            Map<TopicPartition, Long> ends = consumer.endOffsets(partitions);
            while (partitions.stream().anyMatch(p -> consumer.position(p) < ends.get(p))) {
                consumer.poll(java.time.Duration.ofMillis(200)).forEach(r -> latest.put(r.key(), r.value()));
            }
        }
        Set<Long> versions = new java.util.TreeSet<>();
        latest.forEach((key, value) -> {
            if (value != null && key.startsWith(modelPrefix)) {
                versions.add(Long.parseLong(key.substring(key.indexOf('/') + 1, key.indexOf('#'))));
            }
        });
        return versions;
    }

    private static long logStart(Admin admin, TopicPartition partition) {
        try {
            return admin.listOffsets(Map.of(partition, OffsetSpec.earliest())).partitionResult(partition).get(30, TimeUnit.SECONDS).offset();
        } catch (Exception e) {
            return -1;
        }
    }

    @Test
    void anInstanceThatCanNoLongerFollowTheModelsLog_saysSo_andLeavesRotation() throws Exception {
        try (TestService a = new TestService(dir.resolve("a"), member("four", "four"));
             KafkaProducer<String, byte[]> producer = new KafkaProducer<>(Map.of(ProducerConfig.BOOTSTRAP_SERVERS_CONFIG, broker.bootstrap(),
                     ProducerConfig.ACKS_CONFIG, "all"), new StringSerializer(), new ByteArraySerializer())) {
            JsonObject ready = expect(200, a.get("/health/ready"));
            assertEquals(new JsonObject(), ready.getJsonObject("cluster").getJsonObject("problems"), ready.encode());
            // a record no owner wrote: without the headers an owner writes, no model can apply it
            producer.send(new ProducerRecord<>("four.log", 0, "m", new byte[]{1, 2, 3})).get(30, TimeUnit.SECONDS);
            eventually(() -> status(a, "/health/ready") == 503);
            JsonObject stopped = new JsonObject(a.send("GET", "/health/ready", null, null).body());
            assertEquals("CLUSTER_STOPPED", stopped.getString("status"));
            assertTrue(stopped.getJsonObject("cluster").getJsonObject("problems").getString("log_follower").contains("vigie.created"),
                    stopped.encode());
        }
    }

    /** Writes events as transactions, then waits until each model has scored {@code scoredEach} in all. */
    private static void transactions(KafkaProducer<String, byte[]> producer, List<JsonObject> events, TestService service,
                                     List<String> names, int scoredEach) throws Exception {
        for (JsonObject event : events) {
            JsonObject transaction = event.copy();
            transaction.remove("label");
            producer.send(new ProducerRecord<>("three.transactions", event.getString("id"), bytes(transaction)));
        }
        producer.flush();
        for (String name : names) {
            eventually(() -> predictions(service, name) == scoredEach);
        }
    }

    /** Writes the events' labels, then waits until each model has learned {@code learnedEach} in all. */
    private static void labels(KafkaProducer<String, byte[]> producer, List<JsonObject> events, TestService service,
                               List<String> names, int learnedEach) throws Exception {
        for (JsonObject event : events) {
            producer.send(new ProducerRecord<>("three.labels", event.getString("id"), bytes(new JsonObject()
                    .put("model", event.getString("model")).put("id", event.getString("id")).put("label", event.getString("label")))));
        }
        producer.flush();
        for (String name : names) {
            eventually(() -> learned(service, name) == learnedEach);
        }
    }

    private static void score(TestService service, String name, List<JsonObject> events) throws Exception {
        JsonArray batch = new JsonArray();
        events.forEach(e -> batch.add(new JsonObject().put("id", e.getString("id")).put("features", e.getJsonObject("features"))));
        expect(200, service.post("/v1/models/" + name + "/predict/batch", new JsonObject().put("events", batch)));
    }

    private static void label(TestService service, String name, List<JsonObject> events) throws Exception {
        JsonArray batch = new JsonArray();
        events.forEach(e -> batch.add(new JsonObject().put("id", e.getString("id")).put("label", e.getString("label"))));
        expect(202, service.post("/v1/models/" + name + "/labels", new JsonObject().put("labels", batch)));
    }

    private static byte[] bytes(JsonObject json) {
        return json.encode().getBytes(StandardCharsets.UTF_8);
    }

    private static long predictions(TestService service, String name) {
        try {
            return expect(200, service.get("/v1/models/" + name)).getLong("predictions");
        } catch (Exception e) {
            return -1;
        }
    }

    private static long learned(TestService service, String name) {
        try {
            return expect(200, service.get("/v1/models/" + name)).getJsonObject("labels").getLong("learned");
        } catch (Exception e) {
            return -1;
        }
    }

    /** Waits until the two instances hold the six partitions between them, three each. */
    private static void awaitPartitionsSplit(TestService a, TestService b) throws InterruptedException {
        eventually(() -> {
            JsonArray ofA = partitions(a);
            JsonArray ofB = partitions(b);
            Set<Object> all = new HashSet<>(ofA.getList());
            all.addAll(ofB.getList());
            return ofA.size() == 3 && ofB.size() == 3 && all.size() == 6;
        });
    }

    private static JsonArray partitions(TestService service) {
        try {
            return expect(200, service.get("/health/ready")).getJsonObject("cluster").getJsonArray("partitions");
        } catch (Exception e) {
            return new JsonArray();
        }
    }

    private static String address(TestService service) {
        return "127.0.0.1:" + service.port();
    }

    private static int status(TestService service, String path) {
        try {
            return service.get(path).statusCode();
        } catch (Exception e) {
            return -1;
        }
    }

    /** Polls a condition until it holds, for at most 60 s (instances hear of each other through Kafka). */
    private static void eventually(BooleanSupplier condition) throws InterruptedException {
        long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(60);
        while (!condition.getAsBoolean()) {
            if (System.nanoTime() > deadline) {
                throw new AssertionError("condition not met within 60 s");
            }
            Thread.sleep(20); // polling interval, not synchronisation: the condition decides
        }
    }
}
