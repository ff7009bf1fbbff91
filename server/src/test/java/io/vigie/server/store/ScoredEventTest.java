package io.vigie.server.store;

import io.vigie.learner.Prediction;
import org.junit.jupiter.api.Test;

import java.util.Arrays;
import java.util.List;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

class ScoredEventTest {
    private static Answer answer(int predicted, long learnedBefore) {
        return new Answer(predicted, new double[]{0.3, 0.7}, new int[]{1}, new int[]{1, 0, 1}, -1, 0.88, 0.4, 0.33, learnedBefore,
                0.5 + predicted / 4.0);
    }

    @Test
    void roundTrip_keepsEveryFieldAndEachAnswersLearnedCount() {
        ScoredEvent event = new ScoredEvent(3, 1_700_000_000_000L, new double[]{1.5, 2}, answer(1, 41_000),
                List.of(new ScoredEvent.Shadow("arf", answer(0, 40_990)), new ScoredEvent.Shadow("nb", answer(1, 7))), "arf")
                .withLabel(1, 1_700_000_100_000L);
        ScoredEvent read = ScoredEvent.decode(event.encode());
        assertEquals(3, read.version());
        assertArrayEquals(new double[]{1.5, 2}, read.values());
        assertEquals(1, read.label());
        assertEquals("arf", read.answeredBy());
        assertEquals(41_000, read.answer().learnedBefore());
        assertEquals(40_990, read.shadow("arf").learnedBefore());
        assertEquals(7, read.shadow("nb").learnedBefore());
        assertEquals(41_000, read.answer().prediction().learnedBefore(), "the prediction rebuilt for learning carries it");
        assertArrayEquals(new double[]{0.3, 0.7}, read.shadow("nb").probabilities());
        assertEquals(0.75, read.answer().chanceRight());
        assertEquals(0.5, read.shadow("arf").chanceRight());
        assertEquals(0.75, read.answer().prediction().chanceRight(), "the prediction rebuilt for measuring carries its chance");
    }

    /** The event's time and whether its label was implied, then its keys (none here), then each answer's chance, at the end of a record. */
    private static final int TIME_AND_FLAG = 8 + 1 + 4;

    private static int chances(ScoredEvent event) {
        return 8 * (1 + event.shadows().size());
    }

    @Test
    void olderRecords_readWithTheChanceUnknown() {
        ScoredEvent withShadow = new ScoredEvent(1, 5, new double[]{1}, answer(1, 12),
                List.of(new ScoredEvent.Shadow("hat", answer(0, 12))), "hat");
        byte[] bytes = withShadow.encode();
        ScoredEvent old = ScoredEvent.decode(Arrays.copyOf(bytes, bytes.length - chances(withShadow)));
        assertTrue(Double.isNaN(old.answer().chanceRight()));
        assertTrue(Double.isNaN(old.shadow("hat").chanceRight()));
        assertEquals(12, old.shadow("hat").learnedBefore(), "the fields before read as they were");
    }

    @Test
    void olderRecords_readWithTheLearnedCountUnknown() {
        ScoredEvent plain = new ScoredEvent(1, 5, new double[]{1}, answer(1, 12), List.of(), null);
        byte[] bytes = plain.encode();
        // before challengers: the record ended after the label (no "answered by", no shadows, no counts)
        byte[] beforeChallengers = Arrays.copyOf(bytes, bytes.length - 4 - 4 - 8 - TIME_AND_FLAG - chances(plain));
        ScoredEvent old = ScoredEvent.decode(beforeChallengers);
        assertEquals(Prediction.UNKNOWN, old.answer().learnedBefore());
        assertNull(old.answeredBy());
        assertEquals(List.of(), old.shadows());

        ScoredEvent withShadow = new ScoredEvent(1, 5, new double[]{1}, answer(1, 12),
                List.of(new ScoredEvent.Shadow("hat", answer(0, 12))), "hat");
        byte[] shadowed = withShadow.encode();
        // with challengers, before the counts: the record ended after the shadows
        ScoredEvent older = ScoredEvent.decode(Arrays.copyOf(shadowed, shadowed.length - 2 * 8 - TIME_AND_FLAG - chances(withShadow)));
        assertEquals(Prediction.UNKNOWN, older.answer().learnedBefore());
        assertEquals(Prediction.UNKNOWN, older.shadow("hat").learnedBefore());
        assertEquals("hat", older.answeredBy());
        assertEquals(0, older.shadow("hat").predicted());

        // before event times: the record ended after the counts; its time is when it was scored
        ScoredEvent untimed = ScoredEvent.decode(Arrays.copyOf(shadowed, shadowed.length - TIME_AND_FLAG - chances(withShadow)));
        assertEquals(5, untimed.eventTime());
        assertEquals(12, untimed.answer().learnedBefore());
        assertFalse(untimed.implied());
    }

    @Test
    void eventTimeAndImpliedLabel_roundTrip() {
        ScoredEvent scored = new ScoredEvent(2, 9_000, new double[]{1}, answer(1, 3), -1, 0, List.of(), null, 1_522_540_800_000L, false,
                java.util.Arrays.asList("C17", null, "T3"));
        ScoredEvent implied = ScoredEvent.decode(scored.withImpliedLabel(0, 1_523_145_600_000L).encode());
        assertEquals(1_522_540_800_000L, implied.eventTime());
        assertEquals(9_000, implied.scoredAt());
        assertTrue(implied.implied() && implied.labelled());
        assertEquals(0, implied.label());
        ScoredEvent corrected = ScoredEvent.decode(implied.withLabel(1, 1_530_000_000_000L).encode());
        assertFalse(corrected.implied(), "a sent label replaces the implied one");
        assertEquals(1, corrected.label());
        assertEquals(1_522_540_800_000L, corrected.eventTime());
        assertEquals(java.util.Arrays.asList("C17", null, "T3"), corrected.keys(), "keys read back, a missing one too");
    }
}
