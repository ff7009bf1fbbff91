package io.vigie.server.store;

import io.vigie.server.TestClock;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.util.List;
import java.util.Map;

import static org.junit.jupiter.api.Assertions.assertEquals;

/** The pending count: events scored within the label TTL and not labelled, kept across restarts. */
class PendingEventsTest {
    private static final Duration TTL = Duration.ofHours(1);

    @TempDir
    Path dir;

    private final TestClock clock = new TestClock(Instant.parse("2026-12-06T10:00:00Z"));

    private PendingEvents.Scoring scoring(String id) {
        return new PendingEvents.Scoring(id, new ScoredEvent(1, clock.millis(), new double[]{1, 2},
                new Answer(1, new double[]{0.3, 0.7}, new int[]{1}, new int[0], -1, 0.88, 0.4, 0.33, 0, Double.NaN), List.of(), null));
    }

    @Test
    void eventsNoLabelCameFor_leaveTheCountAtTheirTtl_unread() throws Exception {
        try (PendingStore store = PendingStore.open(dir, Map.of("m", TTL), clock)) {
            PendingEvents pending = store.forModel("m", TTL);
            pending.scored(List.of(scoring("a"), scoring("b"), scoring("c")));
            clock.advance(Duration.ofMinutes(30));
            pending.scored(List.of(scoring("d"), scoring("d"))); // an id twice in a batch waits once
            ScoredEvent a = pending.get("a");
            pending.labelled(List.of(new PendingEvents.Labelled("a", a, 1, clock.millis(), false)));
            assertEquals(3, pending.count(PendingEvents.Counter.PENDING), "b, c and d");

            clock.advance(Duration.ofMinutes(31)); // b and c are past the TTL (and at most 1/128 of it)
            assertEquals(1, pending.count(PendingEvents.Counter.PENDING), "d alone, though b and c were never read");
            pending.scored(List.of(scoring("d"))); // scored again: it waits from now on, counted once
            assertEquals(1, pending.count(PendingEvents.Counter.PENDING));
            ScoredEvent b = pending.get("b");
            pending.labelled(List.of(new PendingEvents.Labelled("b", b, 0, clock.millis(), false)));
            assertEquals(1, pending.count(PendingEvents.Counter.PENDING), "a label past the TTL does not count down twice");
        }
        try (PendingStore store = PendingStore.open(dir, Map.of("m", TTL), clock)) {
            PendingEvents pending = store.forModel("m", TTL);
            assertEquals(1, pending.count(PendingEvents.Counter.PENDING), "kept across a restart");
            clock.advance(Duration.ofMinutes(61));
            assertEquals(0, pending.count(PendingEvents.Counter.PENDING));
        }
    }
}
