package io.vigie.learner;

import com.yahoo.labs.samoa.instances.Instance;

/**
 * One event of a labelled stream: an MOA instance with its class set, and when it happened.
 *
 * @param instance   the features and the true class
 * @param timeMillis the event time in epoch milliseconds, or {@link #NO_TIME} when the stream
 *                   has no time column
 */
public record LabelledEvent(Instance instance, long timeMillis) {
    /** The time of events from streams without a time column. */
    public static final long NO_TIME = Long.MIN_VALUE;

    public LabelledEvent(Instance instance) {
        this(instance, NO_TIME);
    }
}
