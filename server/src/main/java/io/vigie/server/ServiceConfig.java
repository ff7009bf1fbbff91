package io.vigie.server;

import io.vertx.core.json.JsonObject;
import io.vigie.server.kafka.Topic;
import io.vigie.server.wire.Fields;

import java.util.Arrays;
import java.util.LinkedHashMap;
import java.util.Map;

/**
 * Every key the service's configuration takes, with its type: a config is checked whole before
 * the service starts, so that a typo ({@code "max_bacth"}) or a wrong type ({@code "port": "abc"})
 * stops it with a message naming the key, rather than silently leaving a limit at its default.
 */
final class ServiceConfig {
    /** What a key's value must be. */
    private enum Type {
        INTEGER, BOOLEAN, STRING, OBJECT;

        boolean holds(Object value) {
            return switch (this) {
                case INTEGER -> value instanceof Integer || value instanceof Long;
                case BOOLEAN -> value instanceof Boolean;
                case STRING -> value instanceof String;
                case OBJECT -> value instanceof JsonObject;
            };
        }

        String described() {
            return switch (this) {
                case INTEGER -> "a whole number";
                case BOOLEAN -> "true or false";
                case STRING -> "a string";
                case OBJECT -> "an object";
            };
        }
    }

    private static final Map<String, Type> KEYS = keys(
            "port", Type.INTEGER, "host", Type.STRING, "data_dir", Type.STRING, "admin_key", Type.STRING,
            "max_batch", Type.INTEGER, "max_body_bytes", Type.INTEGER, "request_timeout_ms", Type.INTEGER,
            "max_connections", Type.INTEGER, "header_timeout_ms", Type.INTEGER, "body_timeout_ms", Type.INTEGER,
            "body_bytes_in_flight", Type.INTEGER, "queue_capacity", Type.INTEGER, "snapshot_every", Type.INTEGER,
            "min_free_bytes", Type.INTEGER, "disk_check_ms", Type.INTEGER, "max_pending_events", Type.INTEGER,
            "max_pending_bytes", Type.INTEGER, "max_ensemble_members", Type.INTEGER, "keep_versions", Type.INTEGER,
            "keep_versions_max_age_days", Type.INTEGER, "log_segment_bytes", Type.INTEGER, "replica", Type.BOOLEAN,
            "tls_cert", Type.STRING, "tls_key", Type.STRING, "log_format", Type.STRING, "access_log", Type.BOOLEAN,
            "event_loops", Type.INTEGER, "learning_threads", Type.INTEGER, "kafka", Type.OBJECT, "cluster", Type.OBJECT);
    private static final Map<String, Type> CLUSTER_KEYS = keys(
            "name", Type.STRING, "partitions", Type.INTEGER, "advertise", Type.STRING, "session_timeout_ms", Type.INTEGER,
            "tls_ca", Type.STRING);
    private static final Map<String, Type> KAFKA_KEYS = keys(
            "bootstrap", Type.STRING, "group", Type.STRING, "instance", Type.STRING, "max_poll_records", Type.INTEGER,
            "secret", Type.STRING, "topics", Type.OBJECT);

    /** The least value of the keys that have one: below it a limit would refuse everything or mean nothing. */
    private static final Map<String, Long> MINIMUMS = Map.of("keep_versions", 1L, "keep_versions_max_age_days", 0L,
            "snapshot_every", 1L, "queue_capacity", 1L, "max_batch", 1L, "max_body_bytes", 1L, "max_connections", 1L,
            "log_segment_bytes", 4096L, "event_loops", 1L, "learning_threads", 1L);

    private ServiceConfig() {
    }

    /** @throws IllegalArgumentException naming the first key that is unknown or of the wrong type */
    static void check(JsonObject config) {
        check(config, KEYS, "");
        MINIMUMS.forEach((key, least) -> {
            if (config.getValue(key) instanceof Number value && value.longValue() < least) {
                throw new IllegalArgumentException("config key '" + key + "' must be at least " + least + ", got " + value);
            }
        });
        if (config.getValue("cluster") instanceof JsonObject cluster) {
            check(cluster, CLUSTER_KEYS, "cluster.");
            if (cluster.getValue("partitions") instanceof Number partitions && partitions.longValue() < 1) {
                throw new IllegalArgumentException("config key 'cluster.partitions' must be at least 1, got " + partitions);
            }
            if (cluster.getString("name") == null) {
                throw new IllegalArgumentException("config key 'cluster.name' is needed to join a cluster (or --cluster NAME)");
            }
            if (!(config.getValue("kafka") instanceof JsonObject kafka) || kafka.getString("bootstrap") == null) {
                throw new IllegalArgumentException("a cluster needs Kafka: its instances meet there (--kafka HOST:PORT, or kafka.bootstrap)");
            }
            if (Boolean.TRUE.equals(config.getValue("replica"))) {
                throw new IllegalArgumentException("a serving replica is not a member of a cluster: set 'replica' or 'cluster', not both");
            }
            String host = config.getString("host", "127.0.0.1");
            if (cluster.getString("advertise") == null && (host.equals("0.0.0.0") || host.equals("::"))) {
                throw new IllegalArgumentException("listening on every address (" + host + "), this instance needs 'cluster.advertise' "
                        + "(the host:port the other instances reach it at)");
            }
            if (cluster.getString("tls_ca") != null && config.getString("tls_cert") == null) {
                throw new IllegalArgumentException("config key 'cluster.tls_ca' checks the certificates of the other instances, "
                        + "which speak TLS only with 'tls_cert' and 'tls_key' set: set them too, or leave 'cluster.tls_ca' out");
            }
            io.vigie.server.cluster.ClusterSettings.from(config); // the name's alphabet
        }
        if (config.getValue("kafka") instanceof JsonObject kafka) {
            check(kafka, KAFKA_KEYS, "kafka.");
            if (kafka.getValue("topics") instanceof JsonObject topics) {
                Map<String, Type> topicKeys = new LinkedHashMap<>();
                Arrays.stream(Topic.values()).forEach(t -> topicKeys.put(t.key(), Type.STRING));
                check(topics, topicKeys, "kafka.topics.");
            }
        }
    }

    private static void check(JsonObject config, Map<String, Type> keys, String prefix) {
        for (String key : config.fieldNames()) {
            Type type = keys.get(key);
            if (type == null) {
                String closest = Fields.closest(key, keys.keySet());
                throw new IllegalArgumentException("unknown config key '" + prefix + ApiProblem.quote(key) + "'"
                        + (closest == null ? "" : "; did you mean '" + prefix + closest + "'?")
                        + " The keys are: " + String.join(", ", keys.keySet()));
            }
            Object value = config.getValue(key);
            if (value != null && !type.holds(value)) {
                throw new IllegalArgumentException("config key '" + prefix + key + "' must be " + type.described() + ", got "
                        + (value instanceof String s ? "\"" + ApiProblem.quote(s) + "\"" : value));
            }
        }
    }

    private static Map<String, Type> keys(Object... pairs) {
        Map<String, Type> keys = new LinkedHashMap<>();
        for (int i = 0; i < pairs.length; i += 2) {
            keys.put((String) pairs[i], (Type) pairs[i + 1]);
        }
        return keys;
    }
}
