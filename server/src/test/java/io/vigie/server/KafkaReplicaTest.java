package io.vigie.server;

import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.nio.file.Path;
import java.util.Random;
import java.util.concurrent.TimeUnit;

import static io.vigie.server.TestService.expect;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * A serving replica loads the versions the learner publishes on the models topic (a real KRaft
 * broker) and answers exactly as the learner does at the same version.
 */
class KafkaReplicaTest {
    @TempDir
    Path dir;

    @Test
    void aReplicaServesTheLearnersPredictions_andCatchesUpWithEachNewVersion() throws Exception {
        Random random = new Random(51);
        JsonArray probes = new JsonArray();
        for (int i = 0; i < 200; i++) {
            probes.add(new JsonObject().put("id", "probe" + i).put("features", ServiceApiTest.features(random)));
        }
        try (KafkaBroker broker = new KafkaBroker(dir.resolve("kafka"));
             TestService learner = new TestService(dir.resolve("learner"), kafka(broker, false));
             TestService replica = new TestService(dir.resolve("replica"), kafka(broker, true))) {
            expect(201, learner.post("/v1/models", ServiceApiTest.modelRequest("cards", "hat")));
            long seen = 0;
            for (int round = 0; round < 2; round++) {
                learn(learner, random, 1500);
                long version = expect(201, learner.post("/v1/models/cards/versions", new JsonObject())).getLong("version");
                assertTrue(version > seen);
                awaitVersion(replica, version);
                assertAnswersAlike(learner, replica, probes, "at version " + version);
                seen = version;
                publishForged(broker, version + 1_000_000); // read before the next round's version, and refused
            }
            // a rollback is a version of its own at once: the replica serves the model rolled back to, not the one rolled back from
            JsonObject rolledBack = expect(200, learner.post("/v1/models/cards/rollback", new JsonObject().put("version", firstVersion(learner))));
            awaitVersion(replica, rolledBack.getLong("version"));
            assertAnswersAlike(learner, replica, probes, "after the rollback");
            assertEquals(404, replica.post("/v1/models/cards/labels", new JsonObject().put("id", "probe1").put("label", "ok"))
                    .statusCode(), "a replica learns nothing");
        }
    }

    /** The replica answers every probe as the learner does, and says it is a replica. */
    private static void assertAnswersAlike(TestService learner, TestService replica, JsonArray probes, String when) throws Exception {
        JsonArray fromLearner = expect(200, learner.post("/v1/models/cards/predict/batch?replace=true", new JsonObject()
                .put("events", probes))).getJsonArray("predictions");
        JsonArray fromReplica = expect(200, replica.post("/v1/models/cards/predict/batch", new JsonObject()
                .put("events", probes))).getJsonArray("predictions");
        for (int i = 0; i < probes.size(); i++) {
            JsonObject answer = fromReplica.getJsonObject(i);
            assertEquals(Boolean.TRUE, answer.remove("replica"));
            assertEquals(fromLearner.getJsonObject(i), answer, "probe " + i + " " + when);
        }
    }

    /** The first version taken by hand (the learner's first round). */
    private static long firstVersion(TestService learner) throws Exception {
        for (Object v : expect(200, learner.get("/v1/models/cards/versions")).getJsonArray("versions")) {
            JsonObject version = (JsonObject) v;
            if ("manual".equals(version.getString("reason"))) {
                return version.getLong("version");
            }
        }
        throw new AssertionError("no version taken by hand");
    }

    private static final String SECRET = "replica-test-cluster-secret-0123456789abcdef";

    private static JsonObject kafka(KafkaBroker broker, boolean replica) {
        return new JsonObject().put("replica", replica).put("kafka", new JsonObject().put("bootstrap", broker.bootstrap())
                .put("group", "replica-test").put("secret", SECRET));
    }

    /** A version on the models topic that the cluster secret did not sign: a snapshot of someone else's choosing. */
    private static void publishForged(KafkaBroker broker, long version) throws Exception {
        java.util.Properties props = new java.util.Properties();
        props.put("bootstrap.servers", broker.bootstrap());
        try (org.apache.kafka.clients.producer.KafkaProducer<String, byte[]> producer = new org.apache.kafka.clients.producer.KafkaProducer<>(
                props, new org.apache.kafka.common.serialization.StringSerializer(), new org.apache.kafka.common.serialization.ByteArraySerializer())) {
            org.apache.kafka.clients.producer.ProducerRecord<String, byte[]> chunk = new org.apache.kafka.clients.producer.ProducerRecord<>(
                    "vigie.models", 0, "cards#0", new byte[]{1, 2, 3});
            chunk.headers().add("vigie.version", Long.toString(version).getBytes(java.nio.charset.StandardCharsets.UTF_8));
            producer.send(chunk).get();
            JsonObject header = new JsonObject().put("model", "cards").put("version", version).put("chunks", 1).put("bytes", 3)
                    .put("definition", "{}").put("signature", "00".repeat(32));
            producer.send(new org.apache.kafka.clients.producer.ProducerRecord<>("vigie.models", 0, "cards", header.toBuffer().getBytes())).get();
        }
    }

    private static void learn(TestService learner, Random random, int count) throws Exception {
        JsonArray events = new JsonArray();
        for (int i = 0; i < count; i++) {
            JsonObject f = ServiceApiTest.features(random);
            events.add(new JsonObject().put("id", "e" + random.nextLong()).put("features", f).put("label", ServiceApiTest.truth(f)));
            if (events.size() == 500) {
                expect(202, learner.post("/v1/models/cards/events", new JsonObject().put("events", events)));
                events = new JsonArray();
            }
        }
    }

    /** Polls the replica's model list until it serves the version (the publisher looks every half second); never a forged one. */
    private static void awaitVersion(TestService replica, long version) throws Exception {
        long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(60);
        while (true) {
            for (Object m : expect(200, replica.get("/v1/models")).getJsonArray("models")) {
                long served = ((JsonObject) m).getLong("version");
                assertTrue(served < 1_000_000, "the replica loaded a version the cluster secret did not sign");
                if (((JsonObject) m).getString("name").equals("cards") && served >= version) {
                    assertEquals(version, served, "the version the learner signed, not a forged newer one");
                    return;
                }
            }
            assertTrue(System.nanoTime() < deadline, "the replica did not load version " + version + " within 60 s");
            Thread.sleep(50); // polling interval: the replica's list decides
        }
    }
}
