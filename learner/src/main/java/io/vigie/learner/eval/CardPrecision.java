package io.vigie.learner.eval;

import java.util.ArrayList;
import java.util.HashMap;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;

/**
 * Card precision at k per day, as the Fraud-Detection Handbook defines it: each day, every card
 * gets the highest fraud score of its transactions that day; the k highest-scored cards are the
 * ones investigators would check; precision is the share of them that had a fraudulent
 * transaction that day. Cards found compromised on an earlier day are left out of later days
 * (they are already blocked). The stream must arrive in time order; days are UTC days.
 */
public final class CardPrecision {
    private static final long DAY_MILLIS = 86_400_000L;

    private final int k;
    private final Set<Long> detected = new HashSet<>();
    private final List<long[]> days = new ArrayList<>(); // {day, hits}
    private final Map<Long, double[]> today = new HashMap<>(); // card -> {max score, any fraud}
    private long currentDay = Long.MIN_VALUE;

    public CardPrecision(int k) {
        this.k = k;
    }

    /** Records one scored transaction. */
    public void add(long timeMillis, long card, double score, boolean fraud) {
        long day = Math.floorDiv(timeMillis, DAY_MILLIS);
        if (day != currentDay) {
            closeDay();
            currentDay = day;
        }
        double[] seen = today.computeIfAbsent(card, c -> new double[]{Double.NEGATIVE_INFINITY, 0});
        seen[0] = Math.max(seen[0], score);
        seen[1] = fraud ? 1 : seen[1];
    }

    private void closeDay() {
        if (today.isEmpty()) {
            return;
        }
        List<Map.Entry<Long, double[]>> cards = new ArrayList<>(today.entrySet());
        cards.removeIf(card -> detected.contains(card.getKey()));
        // highest score first; ties by card id so that the result does not depend on hash order
        cards.sort((a, b) -> a.getValue()[0] != b.getValue()[0]
                ? Double.compare(b.getValue()[0], a.getValue()[0]) : Long.compare(a.getKey(), b.getKey()));
        long hits = 0;
        for (Map.Entry<Long, double[]> card : cards.subList(0, Math.min(k, cards.size()))) {
            if (card.getValue()[1] > 0) {
                hits++;
                detected.add(card.getKey());
            }
        }
        days.add(new long[]{currentDay, hits});
        today.clear();
        currentDay = Long.MIN_VALUE;
    }

    /** The mean over all days of the day's precision, read after the last transaction; NaN before any day. */
    public double mean() {
        closeDay();
        double sum = 0;
        for (long[] day : days) {
            sum += (double) day[1] / k;
        }
        return days.isEmpty() ? Double.NaN : sum / days.size();
    }
}
