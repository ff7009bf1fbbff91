package io.vigie.server.store;

import io.vigie.learner.Prediction;
import org.junit.jupiter.api.Test;

import java.util.Arrays;
import java.util.List;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNull;

class ScoredEventTest {
    private static Answer answer(int predicted, long learnedBefore) {
        return new Answer(predicted, new double[]{0.3, 0.7}, new int[]{1}, new int[]{1, 0, 1}, -1, 0.88, 0.4, 0.33, learnedBefore);
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
    }

    @Test
    void olderRecords_readWithTheLearnedCountUnknown() {
        ScoredEvent plain = new ScoredEvent(1, 5, new double[]{1}, answer(1, 12), List.of(), null);
        byte[] bytes = plain.encode();
        // before challengers: the record ended after the label (no "answered by", no shadows, no counts)
        byte[] beforeChallengers = Arrays.copyOf(bytes, bytes.length - 4 - 4 - 8);
        ScoredEvent old = ScoredEvent.decode(beforeChallengers);
        assertEquals(Prediction.UNKNOWN, old.answer().learnedBefore());
        assertNull(old.answeredBy());
        assertEquals(List.of(), old.shadows());

        ScoredEvent withShadow = new ScoredEvent(1, 5, new double[]{1}, answer(1, 12),
                List.of(new ScoredEvent.Shadow("hat", answer(0, 12))), "hat");
        byte[] shadowed = withShadow.encode();
        // with challengers, before the counts: the record ended after the shadows
        ScoredEvent older = ScoredEvent.decode(Arrays.copyOf(shadowed, shadowed.length - 2 * 8));
        assertEquals(Prediction.UNKNOWN, older.answer().learnedBefore());
        assertEquals(Prediction.UNKNOWN, older.shadow("hat").learnedBefore());
        assertEquals("hat", older.answeredBy());
        assertEquals(0, older.shadow("hat").predicted());
    }
}
