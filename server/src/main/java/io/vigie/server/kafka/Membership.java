package io.vigie.server.kafka;

import org.apache.kafka.clients.consumer.ConsumerRebalanceListener;

/**
 * How the ingest joins a cluster instead of reading the feed topics: the one topic it reads
 * (where each record names its feed in the {@link KafkaIngest#FEED} header), the group whose
 * members split it, the client id and session timeout it joins with, and who hears which
 * partitions it holds.
 */
public record Membership(String topic, String group, String clientId, int sessionTimeoutMillis, ConsumerRebalanceListener listener) {
}
