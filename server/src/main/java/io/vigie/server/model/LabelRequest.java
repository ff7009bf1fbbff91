package io.vigie.server.model;

import io.vigie.server.store.LogRecord;

/**
 * A label to join: the event id, the class index (checked against the schema), when the label
 * was known ({@link EventTime#ARRIVAL} if not said), the stream position or null.
 */
public record LabelRequest(String id, int label, long time, LogRecord.Source source) {
    public LabelRequest(String id, int label) {
        this(id, label, EventTime.ARRIVAL, null);
    }
}
