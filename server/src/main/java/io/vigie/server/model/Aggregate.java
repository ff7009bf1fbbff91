package io.vigie.server.model;

import java.time.Duration;

/**
 * A feature the service computes at scoring time from the events seen before with the same entity
 * key: how many events an entity (a card, a terminal) had over a window, the mean of one of their
 * numeric features (the amount), or the share of them learned as the positive class (a terminal's
 * fraud rate) — the online features a fraud model lives on. The window ends at the event's own
 * time less {@code delay} and holds its end: (time − delay − window, time − delay]. With a delay of
 * one label delay, a fraud rate counts only the labels that have come, as an investigator knows them.
 *
 * @param feature  the schema feature it fills (numeric; events leave it out)
 * @param key      the index of the entity key among the model's keys
 * @param function what it computes
 * @param of       the schema feature averaged (a mean), else -1
 * @param window   how far back it looks
 * @param delay    how long before the event its window ends (zero: at the event, which it holds)
 */
public record Aggregate(int feature, int key, Function function, int of, Duration window, Duration delay) {
    /** What an aggregate computes over its window. */
    public enum Function {
        COUNT, MEAN, POSITIVE_RATE;

        public String code() {
            return name().toLowerCase(java.util.Locale.ROOT);
        }
    }

    public boolean isCount() {
        return function == Function.COUNT;
    }
}
