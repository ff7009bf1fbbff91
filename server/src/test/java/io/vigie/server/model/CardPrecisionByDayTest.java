package io.vigie.server.model;

import io.vigie.learner.eval.CardPrecision;
import org.junit.jupiter.api.Test;

import java.util.ArrayList;
import java.util.List;
import java.util.Random;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * The online card precision against the offline one the evaluation uses (the Handbook's): with
 * each day's frauds known before the next day is scored, every day's figure is the same.
 */
class CardPrecisionByDayTest {
    private static final long DAY = 86_400_000L;

    @Test
    void withEachDaysFraudsKnownByTheNext_everyDayMatchesTheOfflineFigure() {
        Random random = new Random(3);
        int k = 20;
        CardPrecisionByDay online = new CardPrecisionByDay(k);
        CardPrecision offline = new CardPrecision(k);
        double sum = 0;
        int days = 12;
        for (int day = 0; day < days; day++) {
            List<long[]> frauds = new ArrayList<>(); // {time, card}
            for (int i = 0; i < 2_000; i++) {
                long time = day * DAY + (long) i * (DAY / 2_000);
                long card = random.nextInt(400);
                boolean fraud = card % 37 == day % 5 && random.nextDouble() < 0.5; // some cards defraud on some days
                double score = Math.min(1, (fraud ? 0.3 : 0) + random.nextDouble() * 0.7); // frauds score higher, not always
                offline.add(time, card, score, fraud);
                online.scored(time, "card-" + card, score);
                if (fraud) {
                    frauds.add(new long[]{time, card});
                }
            }
            for (long[] f : frauds) { // the day's chargebacks, before the next day
                online.fraud(f[0], "card-" + f[1]);
            }
            sum += online.precision(day * DAY);
        }
        double mean = sum / days;
        assertTrue(mean > 0.05, "the figure measures something: " + mean);
        assertEquals(offline.mean(), mean, 1e-12);
    }

    @Test
    void aDaysFigureRisesAsItsChargebacksCome_andOldDaysAreDropped() {
        CardPrecisionByDay cards = new CardPrecisionByDay(2);
        cards.scored(10, "a", 0.9);
        cards.scored(20, "b", 0.5);
        cards.scored(30, "c", 0.7); // pushes b out
        cards.scored(40, "b", 0.95); // b comes back higher: pushes c out
        assertEquals(0.0, cards.precision(0));
        cards.fraud(25, "c");
        assertEquals(0.0, cards.precision(0), "c is not among the day's top 2");
        cards.fraud(15, "b");
        assertEquals(0.5, cards.precision(0));
        cards.fraud(35, "a");
        assertEquals(1.0, cards.precision(0));
        cards.scored(DAY + 5, "a", 0.99); // a was found yesterday: blocked
        cards.scored(DAY + 6, "d", 0.1);
        cards.fraud(DAY + 6, "d");
        assertEquals(0.5, cards.precision(DAY), "only d counts on day 1");
        cards.scored(CardPrecisionByDay.DAYS * DAY, "e", 0.5);
        assertTrue(Double.isNaN(cards.precision(0)), "day 0 is dropped once 14 later days are kept");
    }
}
