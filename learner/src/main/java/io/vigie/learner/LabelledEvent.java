package io.vigie.learner;

import com.yahoo.labs.samoa.instances.Instance;

/**
 * One event of a labelled stream: an MOA instance with its class set, when it happened, and
 * whose it is.
 *
 * @param instance   the features and the true class
 * @param timeMillis the event time in epoch milliseconds, or {@link #NO_TIME} when the stream
 *                   has no time column
 * @param entity     the card, customer or account the event belongs to (per-entity metrics such
 *                   as card precision use it), or {@link #NO_ENTITY}
 */
public record LabelledEvent(Instance instance, long timeMillis, long entity) {
    /** The time of events from streams without a time column. */
    public static final long NO_TIME = Long.MIN_VALUE;
    /** The entity of events from streams that name none. */
    public static final long NO_ENTITY = Long.MIN_VALUE;

    public LabelledEvent(Instance instance, long timeMillis) {
        this(instance, timeMillis, NO_ENTITY);
    }

    public LabelledEvent(Instance instance) {
        this(instance, NO_TIME, NO_ENTITY);
    }
}
