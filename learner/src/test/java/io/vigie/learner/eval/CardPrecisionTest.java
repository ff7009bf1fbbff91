package io.vigie.learner.eval;

import org.junit.jupiter.api.Test;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

class CardPrecisionTest {
    private static final long DAY = 86_400_000L;

    @Test
    void topKCardsPerDay_byTheirHighestScore() {
        CardPrecision cp = new CardPrecision(2);
        // day 0: card 1 scores 0.9 (fraud), card 2 scores 0.8 then 0.1 (genuine), card 3 scores 0.7 (fraud)
        cp.add(0, 1, 0.9, true);
        cp.add(10, 2, 0.8, false);
        cp.add(20, 2, 0.1, false);
        cp.add(30, 3, 0.7, true);
        // day 1: card 1 (already detected, left out) 0.99 fraud; card 3 0.6 fraud; card 4 0.5 genuine
        cp.add(DAY, 1, 0.99, true);
        cp.add(DAY + 1, 3, 0.6, true);
        cp.add(DAY + 2, 4, 0.5, false);
        // day 0: top 2 = cards 1, 2 -> 1 hit; day 1: card 1 removed, top 2 = 3, 4 -> 1 hit
        assertEquals(0.5, cp.mean(), 1e-15);
    }

    @Test
    void aCardIsCountedOncePerDayAndTiesAreBrokenByCardId() {
        CardPrecision cp = new CardPrecision(1);
        cp.add(0, 7, 0.5, false);
        cp.add(1, 7, 0.5, true);
        cp.add(2, 9, 0.5, false);
        assertEquals(1.0, cp.mean(), 1e-15, "card 7 wins the tie and had a fraud that day");
        assertTrue(Double.isNaN(new CardPrecision(100).mean()));
    }
}
