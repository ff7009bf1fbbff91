package io.vigie.server.model;

import java.io.Serializable;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.Map;

/**
 * Card precision at k per UTC day of event time, online: as the Fraud-Detection Handbook scores a
 * day's work, the k entities (cards) with the highest fraud score that day are the ones
 * investigators check, and the day's precision is the share of them that had a fraud that day.
 *
 * <p>Offline every label is known; here frauds are learned days or weeks later, so a day's figure
 * rises as its chargebacks come (read it as "frauds confirmed so far"). The day's k entities are
 * kept as scored (an entity's highest score that day; one pushed out comes back if it scores
 * higher later, so the k kept are exactly the day's top k). Entities found compromised by an
 * earlier day's checks (in its top k, with a fraud) are left out of later days once their fraud is
 * known, as the Handbook does (they are blocked), for the {@value #DAYS} days kept. Memory: k
 * entities a day, and those found.
 */
final class CardPrecisionByDay implements Serializable {
    private static final long serialVersionUID = 1L;
    static final int DAYS = AlertsByDay.DAYS;
    private static final long DAY_MILLIS = 86_400_000L;

    /** One day: its top k entities by highest score, and those of them that turned out compromised. */
    private static final class Day implements Serializable {
        private static final long serialVersionUID = 1L;
        final long day;
        final HashMap<String, Double> top = new HashMap<>();
        final HashMap<String, Boolean> hits = new HashMap<>();

        Day(long day) {
            this.day = day;
        }
    }

    private final int k;
    /** The days kept, in day order (classes a snapshot may hold: an ArrayList of our own, HashMaps). */
    private final ArrayList<Day> days = new ArrayList<>();
    /** Entity → the day a fraud of it was confirmed on (the earliest). */
    private final HashMap<String, Long> compromised = new HashMap<>();

    CardPrecisionByDay(int k) {
        this.k = k;
    }

    /** An event of {@code entity} scored {@code score} (the positive class's probability) at {@code timeMillis}. */
    void scored(long timeMillis, String entity, double score) {
        long day = Math.floorDiv(timeMillis, DAY_MILLIS);
        Long found = compromised.get(entity);
        if (entity == null || found != null && found < day) {
            return; // no entity, or one already blocked
        }
        Day d = day(day, true);
        if (d == null) {
            return; // older than every day kept
        }
        Double before = d.top.get(entity);
        if (before != null) {
            d.top.put(entity, Math.max(before, score));
        } else if (d.top.size() < k) {
            d.top.put(entity, score);
        } else {
            Map.Entry<String, Double> lowest = null;
            for (Map.Entry<String, Double> e : d.top.entrySet()) {
                if (lowest == null || e.getValue() < lowest.getValue()
                        || e.getValue().equals(lowest.getValue()) && e.getKey().compareTo(lowest.getKey()) > 0) {
                    lowest = e;
                }
            }
            if (score > lowest.getValue()) {
                d.top.remove(lowest.getKey());
                d.top.put(entity, score);
            }
        }
    }

    /** A fraud of {@code entity} at {@code timeMillis} was learned (a label, or a correction of an implied one). */
    void fraud(long timeMillis, String entity) {
        if (entity == null) {
            return;
        }
        long day = Math.floorDiv(timeMillis, DAY_MILLIS);
        Day d = day(day, false);
        if (d != null && d.top.containsKey(entity)) { // found by the day's checks: blocked from then on
            d.hits.put(entity, true);
            compromised.merge(entity, day, Math::min);
        }
    }

    /** The day's precision so far, or NaN for a day not kept. */
    double precision(long dayStartMillis) {
        Day d = day(Math.floorDiv(dayStartMillis, DAY_MILLIS), false);
        return d == null ? Double.NaN : (double) d.hits.size() / k;
    }

    /** The precision of the latest day kept that ended before the one of {@code timeMillis} (NaN if none). */
    double latestBefore(long timeMillis) {
        long day = Math.floorDiv(timeMillis, DAY_MILLIS);
        for (int i = days.size() - 1; i >= 0; i--) {
            if (days.get(i).day < day) {
                return (double) days.get(i).hits.size() / k;
            }
        }
        return Double.NaN;
    }

    /** The kept day {@code day}, created (dropping days too old) if asked; null if it is not kept. */
    private Day day(long day, boolean create) {
        int at = days.size();
        while (at > 0 && days.get(at - 1).day > day) {
            at--;
        }
        if (at > 0 && days.get(at - 1).day == day) {
            return days.get(at - 1);
        }
        if (!create || !days.isEmpty() && day <= days.get(days.size() - 1).day - DAYS) {
            return null;
        }
        Day d = new Day(day);
        days.add(at, d);
        long latest = days.get(days.size() - 1).day;
        while (days.get(0).day <= latest - DAYS) {
            days.remove(0);
        }
        compromised.values().removeIf(found -> found <= latest - DAYS);
        return d;
    }
}
