package io.vigie.learner.eval;

import io.vigie.learner.LabelledEvent;

/**
 * Events per UTC day of event time, as an alert budget needs them: the latest whole day's count,
 * or the current day's so far before one is whole (as the service counts them).
 */
final class DailyVolume {
    static final long DAY_MILLIS = 86_400_000L;
    private long day = Long.MIN_VALUE;
    private long today;
    private long lastWholeDay = -1;

    /** An event at {@code timeMillis} ({@link LabelledEvent#NO_TIME}: not counted). */
    void next(long timeMillis) {
        if (timeMillis == LabelledEvent.NO_TIME) {
            return;
        }
        long d = Math.floorDiv(timeMillis, DAY_MILLIS);
        if (d != day) {
            if (day != Long.MIN_VALUE) {
                lastWholeDay = today;
            }
            day = d;
            today = 0;
        }
        today++;
    }

    long volume() {
        return lastWholeDay >= 0 ? lastWholeDay : today;
    }
}
