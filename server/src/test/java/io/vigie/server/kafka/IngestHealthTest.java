package io.vigie.server.kafka;

import io.micrometer.core.instrument.simple.SimpleMeterRegistry;
import org.junit.jupiter.api.Test;

import java.time.Clock;
import java.time.Instant;
import java.time.ZoneOffset;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

class IngestHealthTest {
    private final SimpleMeterRegistry registry = new SimpleMeterRegistry();
    private final IngestHealth health = new IngestHealth(registry, Clock.fixed(Instant.parse("2026-12-06T10:00:00Z"), ZoneOffset.UTC));

    @Test
    void failuresInARowWaitTwiceAsLong_upToThirtySeconds_andAGoodBatchStartsOver() {
        assertEquals(200, health.failed("poll", new IllegalStateException("a")));
        assertEquals(400, health.failed("poll", new IllegalStateException("b")));
        assertEquals(800, health.failed("process", new IllegalStateException("c")));
        for (int i = 0; i < 40; i++) {
            health.failed("poll", new IllegalStateException("again"));
        }
        assertEquals(30_000, health.status().retryInMillis());
        assertEquals(IngestHealth.State.RETRYING, health.status().state());
        health.consuming();
        assertEquals(IngestHealth.State.CONSUMING, health.status().state());
        assertEquals(0, health.status().inARow());
        assertEquals(43, health.status().errors(), "the count of errors is kept");
        assertEquals("poll", health.status().failure().stage(), "and the last one");
        assertEquals(200, health.failed("rewind", new IllegalStateException("d")));
        assertEquals(42, registry.get("vigie.kafka.errors").tag("stage", "poll").counter().count());
        assertEquals(1, registry.get("vigie.kafka.errors").tag("stage", "process").counter().count());
    }

    @Test
    void theIngestIsUpOnlyWhileConsuming_andDiesOnlyOnAnError() {
        assertEquals(0, registry.get("vigie.kafka.ingest.up").gauge().value(), "starting");
        health.consuming();
        assertEquals(1, registry.get("vigie.kafka.ingest.up").gauge().value());
        health.stopped(null);
        assertFalse(health.status().died(), "closed by the service");
        assertNull(health.status().cause());
        health.stopped(new OutOfMemoryError("Java heap space"));
        assertTrue(health.status().died());
        assertTrue(health.status().cause().contains("Java heap space"));
        assertEquals(0, registry.get("vigie.kafka.ingest.up").gauge().value());
    }
}
