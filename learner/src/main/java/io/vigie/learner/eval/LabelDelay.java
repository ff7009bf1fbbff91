package io.vigie.learner.eval;

import java.time.Duration;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * When the label of an event reaches the learner: after a number of later events, or after a
 * span of stream time. The learner predicts event t having learned exactly the events whose
 * labels are due by then.
 */
public sealed interface LabelDelay {

    /**
     * Whether the label of a waiting event is due when event {@code now} arrives (indices count
     * events from 1; times are epoch milliseconds).
     */
    boolean isDue(long waitingIndex, long waitingTime, long nowIndex, long nowTime);

    /** Whether this delay needs event times. */
    default boolean needsTime() {
        return false;
    }

    /**
     * A delay of {@code k} events, as MOA's {@code EvaluatePrequentialDelayed -k K -p 0}: the
     * learner has seen events 1..t−k when it predicts t. {@code k = 0} is plain prequential
     * (predict, then learn at once), which equals {@code k = 1}.
     */
    record Events(long k) implements LabelDelay {
        public Events {
            if (k < 0) {
                throw new IllegalArgumentException("a delay cannot be negative: " + k);
            }
        }

        @Override
        public boolean isDue(long waitingIndex, long waitingTime, long nowIndex, long nowTime) {
            return waitingIndex <= nowIndex - k;
        }

        @Override
        public String toString() {
            return Long.toString(k);
        }
    }

    /** A delay in stream time: the label of an event at time s is known from time s + span on. */
    record Time(Duration span) implements LabelDelay {
        public Time {
            if (span.isNegative()) {
                throw new IllegalArgumentException("a delay cannot be negative: " + span);
            }
        }

        @Override
        public boolean isDue(long waitingIndex, long waitingTime, long nowIndex, long nowTime) {
            return waitingTime + span.toMillis() <= nowTime;
        }

        @Override
        public boolean needsTime() {
            return true;
        }

        @Override
        public String toString() {
            return span.toString();
        }
    }

    /**
     * Reads {@code K} (events) or a span such as {@code 7d}, {@code 12h}, {@code 30m},
     * {@code 45s} (stream time).
     */
    static LabelDelay parse(String text) {
        Matcher m = Pattern.compile("(\\d+)([dhms]?)").matcher(text.strip());
        if (!m.matches()) {
            throw new IllegalArgumentException("invalid delay '" + text + "': give a number of events (1000) or a time span (7d, 12h, 30m, 45s)");
        }
        long n = Long.parseLong(m.group(1));
        return switch (m.group(2)) {
            case "" -> new Events(n);
            case "d" -> new Time(Duration.ofDays(n));
            case "h" -> new Time(Duration.ofHours(n));
            case "m" -> new Time(Duration.ofMinutes(n));
            default -> new Time(Duration.ofSeconds(n));
        };
    }
}
