package io.vigie.server.model;

/**
 * When an event or a label happened. Senders may say ({@code time} on the wire): a payment
 * platform replaying a day, or a label feed reporting a chargeback dated weeks back, knows better
 * than the moment its message arrived. Without it, the time it arrived is taken. Label TTLs,
 * label delays, implicit labels and the timeline run on these times.
 */
public final class EventTime {
    /** No time given: the time of arrival is taken. */
    public static final long ARRIVAL = Long.MIN_VALUE;

    private EventTime() {
    }

    /** The time given, or {@code arrival} when none was. */
    static long or(long given, long arrival) {
        return given == ARRIVAL ? arrival : given;
    }
}
