package io.vigie.server.kafka;

import io.micrometer.core.instrument.Gauge;
import io.micrometer.core.instrument.MeterRegistry;
import org.apache.kafka.clients.consumer.Consumer;
import org.apache.kafka.common.TopicPartition;

import java.util.Map;
import java.util.OptionalLong;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.atomic.AtomicLong;

/**
 * How far the ingest is behind each partition it reads, for {@code /metrics}
 * ({@code vigie_kafka_consumer_lag_records{topic,partition}}). The consumer is not thread-safe:
 * the ingest thread reads the lag after each poll (the client knows it from its last fetch, no
 * request is made) and a scrape reads what it left. A partition no longer assigned shows no
 * value (NaN) rather than a stale one.
 */
final class ConsumerLag {
    private static final long UNKNOWN = -1;

    private final MeterRegistry registry;
    private final Map<TopicPartition, AtomicLong> lags = new ConcurrentHashMap<>();

    ConsumerLag(MeterRegistry registry) {
        this.registry = registry;
    }

    /** On the ingest thread, after a poll. */
    void update(Consumer<?, ?> consumer) {
        java.util.Set<TopicPartition> assigned = consumer.assignment();
        for (TopicPartition partition : assigned) {
            OptionalLong lag = consumer.currentLag(partition);
            lags.computeIfAbsent(partition, this::register).set(lag.isPresent() ? lag.getAsLong() : UNKNOWN);
        }
        lags.forEach((partition, lag) -> {
            if (!assigned.contains(partition)) {
                lag.set(UNKNOWN);
            }
        });
    }

    private AtomicLong register(TopicPartition partition) {
        AtomicLong lag = new AtomicLong(UNKNOWN);
        Gauge.builder("vigie.kafka.consumer.lag", lag, l -> l.get() < 0 ? Double.NaN : l.get()).baseUnit("records")
                .description("Records the ingest has yet to read, by partition (from its last fetch)")
                .tag("topic", partition.topic()).tag("partition", Integer.toString(partition.partition())).register(registry);
        return lag;
    }
}
