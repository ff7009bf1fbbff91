package io.vigie.server.cluster;

import io.vertx.core.json.JsonObject;

/**
 * One service made of several instances: every instance started with the same cluster name (and
 * the same Kafka) knows every model, and each model has one owner. Configured under
 * {@code "cluster"} in the service config, or with {@code ./vigie serve --kafka HOST:PORT --cluster NAME}.
 *
 * @param name                 the cluster's name: its consumer groups and topics are named after it
 * @param partitions           the partitions of the cluster's input topic; models are spread over the
 *                             instances by partition, so no more instances than this share the work
 * @param advertise            the {@code host:port} other instances forward requests to; null for
 *                             this instance's HTTP host and port
 * @param sessionTimeoutMillis how long a silent instance keeps its models before they move
 * @param trust                with TLS ({@code tls_cert}), the PEM certificates the other instances'
 *                             certificates are checked against when a request is forwarded to them
 *                             ({@code cluster.tls_ca}, else this instance's own certificate: one
 *                             certificate for every instance); null without TLS (plain HTTP)
 */
public record ClusterSettings(String name, int partitions, String advertise, int sessionTimeoutMillis, String trust) {
    public static final int DEFAULT_PARTITIONS = 6;
    public static final int DEFAULT_SESSION_TIMEOUT_MILLIS = 10_000;

    /** The settings under {@code cluster} in a service config, or null for a single instance. */
    public static ClusterSettings from(JsonObject config) {
        JsonObject cluster = config.getJsonObject("cluster");
        if (cluster == null || cluster.getString("name") == null) {
            return null;
        }
        String name = cluster.getString("name");
        if (!name.matches("[A-Za-z0-9._-]{1,100}")) {
            throw new IllegalArgumentException("config key 'cluster.name' must be 1 to 100 letters, digits, '.', '_' or '-' "
                    + "(it names Kafka topics and groups), got \"" + name.replaceAll("[^\\x20-\\x7e]", "?") + "\"");
        }
        String trust = config.getString("tls_cert") == null ? null : cluster.getString("tls_ca", config.getString("tls_cert"));
        return new ClusterSettings(name, cluster.getInteger("partitions", DEFAULT_PARTITIONS), cluster.getString("advertise"),
                cluster.getInteger("session_timeout_ms", DEFAULT_SESSION_TIMEOUT_MILLIS), trust);
    }

    /** The compacted topic of model definitions, in the order they changed. */
    public String controlTopic() {
        return name + ".control";
    }

    /** Every record for the cluster's models, keyed by model: a model's records are in one partition, read by its owner. */
    public String inputTopic() {
        return name + ".input";
    }

    /** The models' log: every commit of a model, published by its owner before it is applied, followed by the others. */
    public String logTopic() {
        return name + ".log";
    }

    /** The models' newest snapshots (compacted): an instance starts a model from its snapshot, and the log behind it is cut. */
    public String snapshotTopic() {
        return name + ".snapshots";
    }

    /** The cluster's audit log: every change made through any instance, in one partition kept whole. */
    public String auditTopic() {
        return name + ".audit";
    }

    /** The consumer group whose members own the input topic's partitions, and so the models. */
    public String ownersGroup() {
        return name;
    }

    /** The consumer group that moves records from the feed topics (keyed by whatever producers chose) to the input topic. */
    public String repartitionGroup() {
        return name + ".repartition";
    }
}
