package io.vigie.server.kafka;

import io.vertx.core.json.JsonObject;

import java.net.InetAddress;
import java.net.UnknownHostException;
import java.nio.file.Path;

/**
 * Where the service meets Kafka: the brokers, its consumer group and its topics. Records carry the
 * model name, keyed by event id. Configured under {@code "kafka"} in the service config, or with
 * {@code ./vigie serve --kafka HOST:PORT [--group NAME]}.
 */
public record KafkaSettings(String bootstrap, String group, String instance, String transactions, String labels, String events,
                            String predictions, String drift, String deadLetter, String models, int maxPollRecords) {

    public static final String DEFAULT_GROUP = "vigie";

    /** The settings under {@code kafka} in a service config, or null when Kafka is off. */
    public static KafkaSettings from(JsonObject config) {
        JsonObject kafka = config.getJsonObject("kafka");
        if (kafka == null || kafka.getString("bootstrap") == null) {
            return null;
        }
        JsonObject topics = kafka.getJsonObject("topics", new JsonObject());
        return new KafkaSettings(kafka.getString("bootstrap"), kafka.getString("group", DEFAULT_GROUP),
                kafka.getString("instance", defaultInstance(config.getString("data_dir", "vigie-data"))),
                topics.getString("transactions", "vigie.transactions"), topics.getString("labels", "vigie.labels"),
                topics.getString("events", "vigie.events"), topics.getString("predictions", "vigie.predictions"),
                topics.getString("drift", "vigie.drift"),
                topics.getString("dead_letter", "vigie.dead-letter"), topics.getString("models", "vigie.models"),
                kafka.getInteger("max_poll_records", 500));
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
