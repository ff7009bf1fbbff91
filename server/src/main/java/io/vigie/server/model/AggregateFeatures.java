package io.vigie.server.model;

import com.yahoo.labs.samoa.instances.Instance;
import io.vigie.learner.Schema;
import io.vigie.server.ApiProblem;

import java.util.ArrayList;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;

/**
 * Computes a model's {@link Aggregate aggregates} at scoring time, from each entity's history: the
 * times of its earlier events and the values their means average, kept for the longest window of
 * the key. An event is added to its entity's history before its features are computed, so a
 * window holds it, as the Fraud-Detection Handbook's features do; events of one batch see those
 * before them. Histories are read and written by the pending store in the same batch as the
 * scored events ({@code store/PendingEvents}), so a restart finds what was scored.
 *
 * <p>A history is a flat array: per event its time (epoch millis, exact in a double), then the
 * values of the key's averaged features, in {@link #averaged} order.
 */
final class AggregateFeatures {
    private final ModelDefinition definition;
    private final Schema schema;
    /** Per key: the features its means average, in a fixed order. */
    private final List<List<Integer>> averaged = new ArrayList<>();
    /** Per key: its longest window, in millis (0: no aggregate uses the key). */
    private final long[] horizon;

    AggregateFeatures(ModelDefinition definition) {
        this.definition = definition;
        this.schema = definition.schema();
        this.horizon = new long[definition.keys().size()];
        for (int k = 0; k < definition.keys().size(); k++) {
            Set<Integer> features = new LinkedHashSet<>();
            for (Aggregate a : definition.aggregates()) {
                if (a.key() == k) {
                    horizon[k] = Math.max(horizon[k], a.window().toMillis());
                    if (!a.isCount()) {
                        features.add(a.mean());
                    }
                }
            }
            averaged.add(List.copyOf(features));
        }
    }

    boolean any() {
        return !definition.aggregates().isEmpty();
    }

    /** Where an entity's history is kept: the key's name, then the entity. */
    String historyKey(int key, String entity) {
        return definition.keys().get(key) + "\0" + entity;
    }

    /** The histories the requests read, by {@link #historyKey}. */
    Set<String> historiesNeeded(List<ScoreRequest> requests) {
        Set<String> needed = new LinkedHashSet<>();
        for (ScoreRequest r : requests) {
            for (int k = 0; k < horizon.length; k++) {
                String entity = k < r.keys().size() ? r.keys().get(k) : null;
                if (horizon[k] > 0 && entity != null) {
                    needed.add(historyKey(k, entity));
                }
            }
        }
        return needed;
    }

    /**
     * Fills every computed feature of each request, in order: the event joins its entity's
     * history (pruned to the key's longest window), then each aggregate reads the history over its
     * window. An event without the key's entity gets missing values. {@code histories} is changed
     * in place: the pending store writes it with the scored events.
     */
    void fill(List<ScoreRequest> requests, long now, Map<String, double[]> histories) {
        for (ScoreRequest r : requests) {
            for (Aggregate a : definition.aggregates()) {
                if (!r.event().isMissing(schema.attributeOf(a.feature()))) {
                    throw ApiProblem.invalid("'" + schema.features().get(a.feature()).name() + "' is computed by the service from the "
                            + "events' keys: leave it out (event '" + ApiProblem.quote(r.id()) + "')");
                }
            }
        }
        for (ScoreRequest r : requests) {
            long time = EventTime.or(r.time(), now);
            Instance event = r.event();
            for (int k = 0; k < horizon.length; k++) {
                if (horizon[k] == 0) {
                    continue;
                }
                String entity = k < r.keys().size() ? r.keys().get(k) : null;
                double[] history = entity == null ? null : add(histories.get(historyKey(k, entity)), k, time, event);
                if (history != null) {
                    histories.put(historyKey(k, entity), history);
                }
                for (Aggregate a : definition.aggregates()) {
                    if (a.key() == k) {
                        event.setValue(schema.attributeOf(a.feature()), history == null ? Double.NaN : compute(a, k, history, time));
                    }
                }
            }
        }
    }

    /** The history with the event appended, and the events at or before its time minus the horizon dropped. */
    private double[] add(double[] history, int key, long time, Instance event) {
        int stride = 1 + averaged.get(key).size();
        double[] before = history == null ? new double[0] : history;
        int from = 0;
        while (from < before.length && before[from] <= time - horizon[key]) {
            from += stride;
        }
        double[] after = new double[before.length - from + stride];
        System.arraycopy(before, from, after, 0, before.length - from);
        int at = before.length - from;
        after[at] = time;
        for (int i = 0; i < averaged.get(key).size(); i++) {
            after[at + 1 + i] = event.value(schema.attributeOf(averaged.get(key).get(i)));
        }
        return after;
    }

    /** A count of the history's events in (time − window, time], or the mean of a feature over them, oldest first. */
    private double compute(Aggregate a, int key, double[] history, long time) {
        int stride = 1 + averaged.get(key).size();
        int column = a.isCount() ? -1 : 1 + averaged.get(key).indexOf(a.mean());
        long from = time - a.window().toMillis();
        int count = 0;
        double sum = 0;
        for (int i = 0; i < history.length; i += stride) {
            if (history[i] > from && history[i] <= time) {
                count++;
                sum += column < 0 ? 0 : history[i + column];
            }
        }
        return a.isCount() ? count : sum / count;
    }
}
