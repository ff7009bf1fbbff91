package io.vigie.server.model;

import java.time.Duration;

/**
 * A feature the service computes at scoring time from the events seen before with the same entity
 * key: how many events an entity (a card) had over a window, or the mean of one of their numeric
 * features (the amount) — the online features a fraud model lives on. The window ends at the
 * event's own time and holds it: (time − window, time].
 *
 * @param feature the schema feature it fills (numeric; events leave it out)
 * @param key     the index of the entity key among the model's keys
 * @param mean    the schema feature averaged, or -1 for a count
 * @param window  how far back it looks
 */
public record Aggregate(int feature, int key, int mean, Duration window) {
    public boolean isCount() {
        return mean < 0;
    }
}
