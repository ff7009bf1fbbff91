package io.vigie.server.model;

import com.yahoo.labs.samoa.instances.Instance;
import io.vigie.learner.Schema;
import io.vigie.server.ApiProblem;
import io.vigie.server.store.PendingEvents;

import java.util.ArrayList;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;

/**
 * Computes a model's {@link Aggregate aggregates} at scoring time, from each entity's history: its
 * earlier events, kept for the longest window (and delay) of the key. An event is added to its
 * entity's history before its features are computed, so a window that ends at the event holds it,
 * as the Fraud-Detection Handbook's features do; events of one batch see those before them. When
 * an event's label is learned as the positive class, its entry is marked, and fraud rates count it
 * from then on. Histories are read and written by the pending store in the same batch as the
 * scored events or the labels, so a restart finds what was scored and learned.
 *
 * <p>A history is a flat array, per event: its time (epoch millis, exact in a double), a hash of
 * its id (to find it when its label comes), 1 if it was learned positive, then the values of the
 * key's averaged features in {@link #averaged} order.
 */
final class AggregateFeatures {
    private static final int TIME = 0;
    private static final int ID = 1;
    private static final int POSITIVE = 2;
    private static final int VALUES = 3;

    private final ModelDefinition definition;
    private final Schema schema;
    /** Per key: the features its means average, in a fixed order. */
    private final List<List<Integer>> averaged = new ArrayList<>();
    /** Per key: its longest window plus delay, in millis (0: no aggregate uses the key). */
    private final long[] horizon;

    AggregateFeatures(ModelDefinition definition) {
        this.definition = definition;
        this.schema = definition.schema();
        this.horizon = new long[definition.keys().size()];
        for (int k = 0; k < definition.keys().size(); k++) {
            Set<Integer> features = new LinkedHashSet<>();
            for (Aggregate a : definition.aggregates()) {
                if (a.key() == k) {
                    horizon[k] = Math.max(horizon[k], a.window().toMillis() + a.delay().toMillis());
                    if (a.function() == Aggregate.Function.MEAN) {
                        features.add(a.of());
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
    private String historyKey(int key, String entity) {
        return definition.keys().get(key) + "\0" + entity;
    }

    /** The histories the events of these keys read (null entries: a key not given), by name. */
    private Set<String> historiesOf(List<List<String>> keysOfEvents) {
        Set<String> needed = new LinkedHashSet<>();
        for (List<String> keys : keysOfEvents) {
            for (int k = 0; k < horizon.length; k++) {
                String entity = k < keys.size() ? keys.get(k) : null;
                if (horizon[k] > 0 && entity != null) {
                    needed.add(historyKey(k, entity));
                }
            }
        }
        return needed;
    }

    /** The histories scoring these requests reads, by name. */
    Set<String> historiesNeeded(List<ScoreRequest> requests) {
        return historiesOf(requests.stream().map(ScoreRequest::keys).toList());
    }

    /**
     * Fills every computed feature of each request, in order: the event joins its entity's
     * history (pruned to the key's horizon), then each aggregate reads the history over its
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
                double[] history = entity == null ? null : add(histories.get(historyKey(k, entity)), k, time, r.id(), event);
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

    /** The histories that learning these labels changes: those of events learned as the positive class. */
    Set<String> historiesNeededBy(List<PendingEvents.Labelled> marks) {
        return historiesOf(marks.stream().filter(this::positive).map(PendingEvents.Labelled::keys).toList());
    }

    /** Marks the entries of the events learned as the positive class, in {@code histories} (changed in place). */
    void labelled(List<PendingEvents.Labelled> marks, Map<String, double[]> histories) {
        for (PendingEvents.Labelled mark : marks) {
            if (!positive(mark)) {
                continue;
            }
            for (int k = 0; k < horizon.length; k++) {
                String entity = k < mark.keys().size() ? mark.keys().get(k) : null;
                double[] history = entity == null ? null : histories.get(historyKey(k, entity));
                if (history == null) {
                    continue; // gone past the horizon
                }
                int stride = stride(k);
                for (int i = 0; i < history.length; i += stride) {
                    if (history[i + TIME] == mark.eventTime() && history[i + ID] == idHash(mark.id())) {
                        history[i + POSITIVE] = 1;
                    }
                }
            }
        }
    }

    private boolean positive(PendingEvents.Labelled mark) {
        return mark.label() == definition.alertClass();
    }

    private int stride(int key) {
        return VALUES + averaged.get(key).size();
    }

    /** The history with the event appended, and the events at or before its time minus the horizon dropped. */
    private double[] add(double[] history, int key, long time, String id, Instance event) {
        int stride = stride(key);
        double[] before = history == null ? new double[0] : history;
        int from = 0;
        while (from < before.length && before[from + TIME] <= time - horizon[key]) {
            from += stride;
        }
        double[] after = new double[before.length - from + stride];
        System.arraycopy(before, from, after, 0, before.length - from);
        int at = before.length - from;
        after[at + TIME] = time;
        after[at + ID] = idHash(id);
        for (int i = 0; i < averaged.get(key).size(); i++) {
            after[at + VALUES + i] = event.value(schema.attributeOf(averaged.get(key).get(i)));
        }
        return after;
    }

    /** The aggregate over the history's events in (time − delay − window, time − delay], oldest first. */
    private double compute(Aggregate a, int key, double[] history, long time) {
        int stride = stride(key);
        int column = a.function() == Aggregate.Function.MEAN ? VALUES + averaged.get(key).indexOf(a.of()) : -1;
        long to = time - a.delay().toMillis();
        long from = to - a.window().toMillis();
        int count = 0;
        double sum = 0;
        int positives = 0;
        for (int i = 0; i < history.length; i += stride) {
            if (history[i + TIME] > from && history[i + TIME] <= to) {
                count++;
                sum += column < 0 ? 0 : history[i + column];
                positives += history[i + POSITIVE] > 0 ? 1 : 0;
            }
        }
        return switch (a.function()) {
            case COUNT -> count;
            case MEAN -> sum / count;
            case POSITIVE_RATE -> count == 0 ? 0 : (double) positives / count;
        };
    }

    /** An id's hash, exact in a double: it tells two events of one entity at the same millisecond apart. */
    private static double idHash(String id) {
        return id.hashCode();
    }
}
