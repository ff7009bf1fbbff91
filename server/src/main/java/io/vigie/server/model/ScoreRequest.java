package io.vigie.server.model;

import com.yahoo.labs.samoa.instances.Instance;

import java.util.List;

/**
 * An event to score: its id, its unlabelled instance, when it happened ({@link EventTime#ARRIVAL}
 * if not said), and its entity keys in the order the model declares them (null where not given).
 */
public record ScoreRequest(String id, Instance event, long time, List<String> keys) {
    public ScoreRequest(String id, Instance event) {
        this(id, event, EventTime.ARRIVAL, List.of());
    }
}
