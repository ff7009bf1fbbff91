package io.vigie.learner.eval;

import org.junit.jupiter.api.Test;

import java.time.Duration;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

class LabelDelayTest {

    @Test
    void parse_readsEventsAndTimeSpans() {
        assertEquals(new LabelDelay.Events(1000), LabelDelay.parse("1000"));
        assertEquals(new LabelDelay.Time(Duration.ofDays(7)), LabelDelay.parse("7d"));
        assertEquals(new LabelDelay.Time(Duration.ofHours(12)), LabelDelay.parse(" 12h "));
        assertEquals(new LabelDelay.Time(Duration.ofMinutes(30)), LabelDelay.parse("30m"));
        assertEquals(new LabelDelay.Time(Duration.ofSeconds(45)), LabelDelay.parse("45s"));
        IllegalArgumentException e = assertThrows(IllegalArgumentException.class, () -> LabelDelay.parse("7 days"));
        assertTrue(e.getMessage().contains("7d"));
        assertThrows(IllegalArgumentException.class, () -> LabelDelay.parse("-3"));
    }

    @Test
    void events_makeTheLabelOfTMinusKDueAtT() {
        LabelDelay k = new LabelDelay.Events(3);
        assertTrue(k.isDue(7, 0, 10, 0));
        assertFalse(k.isDue(8, 0, 10, 0));
    }

    @Test
    void time_makesALabelDueOnceItsSpanHasPassed() {
        LabelDelay day = LabelDelay.parse("1d");
        long t0 = 1_000_000;
        assertFalse(day.isDue(1, t0, 2, t0 + 86_399_999));
        assertTrue(day.isDue(1, t0, 2, t0 + 86_400_000));
        assertTrue(day.needsTime());
    }
}
