package io.vigie.server.model;

import com.yahoo.labs.samoa.instances.Instance;

/** An event to score: its id, its unlabelled instance, and when it happened ({@link EventTime#ARRIVAL} if not said). */
public record ScoreRequest(String id, Instance event, long time) {
    public ScoreRequest(String id, Instance event) {
        this(id, event, EventTime.ARRIVAL);
    }
}
