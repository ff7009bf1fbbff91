package io.vigie.server.model;

import com.yahoo.labs.samoa.instances.Instance;
import io.vigie.server.store.LogRecord;

/**
 * A labelled event to learn: its id, its instance with the class value set, when it happened
 * ({@link EventTime#ARRIVAL} if not said), the stream position or null.
 */
public record EventRequest(String id, Instance labelled, long time, LogRecord.Source source) {
    public EventRequest(String id, Instance labelled) {
        this(id, labelled, EventTime.ARRIVAL, null);
    }
}
