package io.vigie.server.model;

import io.vigie.learner.Prediction;
import io.vigie.learner.Schema;
import io.vigie.learner.eval.EstimatedWindow;
import io.vigie.learner.monitor.ChannelResult;
import io.vigie.learner.monitor.InputDriftMonitor;
import io.vigie.learner.monitor.Severity;
import io.vigie.server.store.Answer;
import io.vigie.server.store.ScoredEvent;

import java.io.Serializable;

/**
 * What the service keeps about a model besides the model itself, stored with it in each
 * snapshot: how its answers fared once labelled, its quality over time, the label-free drift
 * monitor of what it is asked to score, and its challengers. Owned by the model's writer thread.
 */
final class ServingState implements Serializable {
    private static final long serialVersionUID = 1L;

    private final ServingMetrics metrics;
    private final Timeline timeline;
    private final InputDriftMonitor inputs;
    private final Challengers challengers;
    /** When the champion took over, and from which challenger; null while it is the model first created (older snapshots too). */
    private Succession succession;
    /** The model's clock: the latest time of an event or label it has seen (epoch millis; 0 in older snapshots). */
    private long clock;
    /** Labels implied (no label came within the implicit-label period), and labels that corrected one. */
    private long implied;
    private long corrections;
    /** Scorings and alerts per day; null in older snapshots. */
    private AlertsByDay alerts = new AlertsByDay();
    /** Card precision per day, for models that rank an entity key; null otherwise (and in older snapshots). */
    private CardPrecisionByDay cards;
    /** What the window of predictions being filled is estimated to score, closed with the input monitor's window; null in older snapshots. */
    private EstimatedWindow predicting;

    /** The champion became champion at {@code version}: promoted from {@code challenger}, or brought back by a rollback (null). */
    private record Succession(long version, String challenger) implements Serializable {
    }

    private ServingState(ServingMetrics metrics, Timeline timeline, InputDriftMonitor inputs, Challengers challengers) {
        this.metrics = metrics;
        this.timeline = timeline;
        this.inputs = inputs;
        this.challengers = challengers;
    }

    /** The state a snapshot holds; what a snapshot from before it was kept lacks starts afresh. */
    static ServingState from(Object stored, Schema schema) {
        if (stored instanceof ServingState state) {
            return state;
        }
        return new ServingState(stored instanceof ServingMetrics kept ? kept : new ServingMetrics(schema.numClasses()),
                new Timeline(schema.numClasses()), new InputDriftMonitor(schema), new Challengers());
    }

    ServingMetrics metrics() {
        return metrics;
    }

    Timeline timeline() {
        return timeline;
    }

    InputDriftMonitor inputs() {
        return inputs;
    }

    Challengers challengers() {
        return challengers;
    }

    /** The stream's time moved on: an event or label of that time was seen. Time never goes back. */
    void advanceClock(long timeMillis) {
        clock = Math.max(clock, timeMillis);
    }

    /** The latest time of an event or label seen: implicit labels fall due by it. */
    long clock() {
        return clock;
    }

    /** A label was implied, or a label came that corrected one. */
    void countLabel(boolean impliedLabel, boolean correction) {
        implied += impliedLabel ? 1 : 0;
        corrections += correction ? 1 : 0;
    }

    long impliedLabels() {
        return implied;
    }

    long corrections() {
        return corrections;
    }

    /** A promotion or rollback at {@code version} made another model champion ({@code challenger} when promoted). */
    void championChanged(long version, String challenger) {
        succession = new Succession(version, challenger);
    }

    /**
     * The champion's own answer to a scored event: what it answered as champion, or in its shadow
     * while it was a challenger; null when it never scored the event (it joined later, or a
     * rollback brought it back).
     */
    Prediction championAnswer(ScoredEvent event) {
        if (succession == null || event.version() >= succession.version()) {
            return event.answer().prediction();
        }
        Answer shadow = succession.challenger() == null ? null : event.shadow(succession.challenger());
        return shadow == null ? null : shadow.prediction();
    }

    /** A labelled answer of the champion: the running metrics and the timeline; {@code positive}: the class alerts name. */
    void measure(Prediction given, int truth, int positive, long learned, long timeMillis) {
        metrics.add(given.label(), truth, given.covers(truth), given.predictionSet().size(), given.abstain());
        double[] p = given.probabilities().probabilities();
        timeline.add(given.label(), truth, positive, p.length > 1 ? p[positive] : 0, given.covers(truth), given.abstain(),
                given.memberLabels(), given.probabilities(), given.chanceRight(), learned, timeMillis);
    }

    /**
     * A scored answer at {@code timeMillis}: counted for its day, as an alert if it named
     * {@code alertClass} (-1: none is), and ranked with the day's entities when the model ranks
     * them ({@code cardsK} > 0) by the score it gave the positive class.
     */
    void scored(long timeMillis, int label, int alertClass, int cardsK, String entity, double score) {
        if (alerts == null) {
            alerts = new AlertsByDay(); // older snapshots had none
        }
        alerts.add(timeMillis, label == alertClass);
        if (cardsK > 0) {
            cards(cardsK).scored(timeMillis, entity, score);
        }
        advanceClock(timeMillis);
    }

    /** A fraud of {@code entity} at {@code timeMillis} was learned: it counts for its day's card precision. */
    void fraudLearned(int cardsK, long timeMillis, String entity) {
        cards(cardsK).fraud(timeMillis, entity);
    }

    private CardPrecisionByDay cards(int k) {
        if (cards == null) {
            cards = new CardPrecisionByDay(k);
        }
        return cards;
    }

    /** Card precision of the latest day kept before the clock's day: the last complete day (NaN when none). */
    double latestCardPrecision() {
        return cards == null ? Double.NaN : cards.latestBefore(clock);
    }

    /** A day's card precision so far, NaN when the model ranks no entities or the day is not kept. */
    double cardPrecision(long dayStartMillis) {
        return cards == null ? Double.NaN : cards.precision(dayStartMillis);
    }

    /** Scorings and alerts per day of event time, latest days (empty before the first scoring). */
    AlertsByDay alerts() {
        return alerts == null ? new AlertsByDay() : alerts;
    }

    /**
     * Shows a scored event to the input drift monitor, and its answer to the window's estimate
     * ({@code positive}: the class alerts name on binary models, else -1). At a window's end the
     * check goes on the timeline (its uncertainty and estimate, a marker per warning or alert)
     * and is returned; else null.
     */
    InputDriftMonitor.Check monitor(double[] values, Prediction p, int positive, long learned, long timeMillis) {
        if (predicting == null) {
            predicting = new EstimatedWindow(positive);
        }
        predicting.add(p.probabilities(), p.chanceRight());
        InputDriftMonitor.Check check = inputs.observe(values, p, timeMillis);
        if (check != null) {
            timeline.uncertainty(learned, timeMillis, check.meanEntropy(), check.abstentionShare(), Timeline.Estimated.of(predicting));
            predicting = new EstimatedWindow(positive);
            for (ChannelResult result : check.channels()) {
                if (result.severity().compareTo(Severity.WARNING) >= 0) {
                    timeline.mark(learned, timeMillis, "input_drift", result.channel() + " " + result.severity().code());
                }
            }
        }
        return check;
    }
}
