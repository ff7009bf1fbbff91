package io.vigie.server.kafka;

import io.vertx.core.json.JsonObject;

import java.net.InetAddress;
import java.net.UnknownHostException;
import java.nio.file.Path;
import java.util.EnumMap;
import java.util.Map;

/**
 * Where the service meets Kafka: the brokers, its consumer group and its topics, and the cluster
 * secret that signs the model versions published for replicas ({@code secret}, or
 * VIGIE_CLUSTER_SECRET). Records carry the model name, keyed by event id. Configured under {@code "kafka"} in the service config, or with
 * {@code ./vigie serve --kafka HOST:PORT [--group NAME]}.
 */
public record KafkaSettings(String bootstrap, String group, String instance, Map<Topic, String> topics, int maxPollRecords,
                            String secret) {

    public static final String DEFAULT_GROUP = "vigie";

    /** The settings under {@code kafka} in a service config, or null when Kafka is off. */
    public static KafkaSettings from(JsonObject config) {
        JsonObject kafka = config.getJsonObject("kafka");
        if (kafka == null || kafka.getString("bootstrap") == null) {
            return null;
        }
        JsonObject configured = kafka.getJsonObject("topics", new JsonObject());
        Map<Topic, String> topics = new EnumMap<>(Topic.class);
        for (Topic topic : Topic.values()) {
            topics.put(topic, configured.getString(topic.key(), topic.defaultName()));
        }
        return new KafkaSettings(kafka.getString("bootstrap"), kafka.getString("group", DEFAULT_GROUP),
                kafka.getString("instance", defaultInstance(config.getString("data_dir", "vigie-data"))),
                Map.copyOf(topics), kafka.getInteger("max_poll_records", 500), kafka.getString("secret"));
    }

    /** A topic's name, as configured. */
    public String topic(Topic topic) {
        return topics.get(topic);
    }

    /**
     * The consumer's static group membership id: the host and the data dir, which one running
     * service owns. A service restarted after a crash rejoins under the same id and gets its
     * partitions back at once, instead of after the dead member's session times out.
     */
    private static String defaultInstance(String dataDir) {
        String host;
        try {
            host = InetAddress.getLocalHost().getHostName();
        } catch (UnknownHostException e) {
            host = "localhost";
        }
        String id = (host + "_" + Path.of(dataDir).toAbsolutePath().normalize()).replaceAll("[^A-Za-z0-9._-]", "_");
        // Kafka takes ids of at most 249 characters from this alphabet
        return id.length() <= 200 ? id : id.substring(0, 180) + "_" + Integer.toHexString(id.hashCode());
    }
}
