package io.vigie.server.model;

import java.io.Serializable;
import java.util.ArrayList;
import java.util.List;

/**
 * Scorings and alerts (answers naming a binary model's positive class) per UTC day of event time,
 * for the {@value #DAYS} latest days seen: the alert volume an analyst team plans for. Days older
 * than that are dropped as newer ones come.
 */
public final class AlertsByDay implements Serializable {
    private static final long serialVersionUID = 1L;
    static final int DAYS = 14;
    private static final long DAY_MILLIS = 86_400_000L;

    /** One day: its start (epoch millis), events scored, alerts among them. */
    public record Day(long startMillis, long scored, long alerts) {
    }

    /** {day index, scored, alerts} per day, in day order (kept in classes snapshots may hold: an ArrayList of arrays). */
    private final ArrayList<long[]> days = new ArrayList<>();

    void add(long timeMillis, boolean alert) {
        long day = Math.floorDiv(timeMillis, DAY_MILLIS);
        int at = days.size();
        while (at > 0 && days.get(at - 1)[0] > day) { // events come nearly in time order: look from the latest day back
            at--;
        }
        long[] counts;
        if (at > 0 && days.get(at - 1)[0] == day) {
            counts = days.get(at - 1);
        } else if (!days.isEmpty() && day <= days.get(days.size() - 1)[0] - DAYS) {
            return; // older than every day kept
        } else {
            counts = new long[]{day, 0, 0};
            days.add(at, counts);
        }
        counts[1]++;
        counts[2] += alert ? 1 : 0;
        long latest = days.get(days.size() - 1)[0];
        while (days.get(0)[0] <= latest - DAYS) {
            days.remove(0);
        }
    }

    /**
     * Events scored a day, for an alert budget: those of the latest day kept before the day of
     * {@code timeMillis} (a whole day), else those of its day so far.
     */
    long volume(long timeMillis) {
        long day = Math.floorDiv(timeMillis, DAY_MILLIS);
        long today = 0;
        for (int i = days.size() - 1; i >= 0; i--) {
            long[] d = days.get(i);
            if (d[0] < day) {
                return d[1];
            }
            today += d[0] == day ? d[1] : 0;
        }
        return today;
    }

    /** The days kept, oldest first. */
    public List<Day> days() {
        List<Day> list = new ArrayList<>(days.size());
        for (long[] d : days) {
            list.add(new Day(d[0] * DAY_MILLIS, d[1], d[2]));
        }
        return list;
    }
}
