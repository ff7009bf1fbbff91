package io.vigie.server.model;

import io.vigie.server.store.LogRecord;

/** A label to join: the event id, the class index (checked against the schema), the stream position or null. */
public record LabelRequest(String id, int label, LogRecord.Source source) {
    public LabelRequest(String id, int label) {
        this(id, label, null);
    }
}
