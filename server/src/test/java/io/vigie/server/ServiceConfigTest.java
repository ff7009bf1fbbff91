package io.vigie.server;

import io.vertx.core.json.JsonObject;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.nio.file.Path;

import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** A config with a typo or a wrong type stops the service with the key named, instead of leaving a limit at its default. */
class ServiceConfigTest {
    @TempDir
    Path dataDir;

    private String refusal(JsonObject config) {
        Exception refused = assertThrows(Exception.class, () -> new TestService(dataDir, config));
        return String.valueOf(refused.getMessage());
    }

    @Test
    void typosAndWrongTypes_areRefusedAtStart_namingTheKey() {
        String typo = refusal(new JsonObject().put("max_bacth", 50));
        assertTrue(typo.contains("unknown config key 'max_bacth'; did you mean 'max_batch'?"), typo);
        String type = refusal(new JsonObject().put("snapshot_every", "often"));
        assertTrue(type.contains("config key 'snapshot_every' must be a whole number, got \"often\""), type);
        String loops = refusal(new JsonObject().put("event_loops", 0));
        assertTrue(loops.contains("config key 'event_loops' must be at least 1, got 0"), loops);
        String threads = refusal(new JsonObject().put("learning_threads", 0));
        assertTrue(threads.contains("config key 'learning_threads' must be at least 1, got 0"), threads);
        String kafka = refusal(new JsonObject().put("kafka", new JsonObject().put("bootstrap", "127.0.0.1:1")
                .put("topics", new JsonObject().put("transaction", "t"))));
        assertTrue(kafka.contains("unknown config key 'kafka.topics.transaction'; did you mean 'kafka.topics.transactions'?"), kafka);
    }

    @Test
    void aClusterConfig_thatCannotWork_isRefusedAtStart_sayingWhy() {
        JsonObject kafka = new JsonObject().put("bootstrap", "127.0.0.1:1");
        String noKafka = refusal(new JsonObject().put("cluster", new JsonObject().put("name", "c")));
        assertTrue(noKafka.contains("a cluster needs Kafka"), noKafka);
        String name = refusal(new JsonObject().put("kafka", kafka).put("cluster", new JsonObject().put("name", "a b")));
        assertTrue(name.contains("config key 'cluster.name' must be 1 to 100 letters"), name);
        String typo = refusal(new JsonObject().put("kafka", kafka).put("cluster", new JsonObject().put("name", "c").put("partition", 3)));
        assertTrue(typo.contains("unknown config key 'cluster.partition'; did you mean 'cluster.partitions'?"), typo);
        String both = refusal(new JsonObject().put("kafka", kafka).put("replica", true).put("cluster", new JsonObject().put("name", "c")));
        assertTrue(both.contains("set 'replica' or 'cluster', not both"), both);
        String everywhere = refusal(new JsonObject().put("kafka", kafka).put("host", "0.0.0.0")
                .put("cluster", new JsonObject().put("name", "c")));
        assertTrue(everywhere.contains("needs 'cluster.advertise'"), everywhere);
    }
}
