package io.vigie.server.model;

import io.vigie.learner.Prediction;
import io.vigie.learner.Schema;
import io.vigie.learner.monitor.ChannelResult;
import io.vigie.learner.monitor.InputDriftMonitor;
import io.vigie.learner.monitor.Severity;

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

    /** A labelled answer of the champion: the running metrics and the timeline. */
    void measure(Prediction given, int truth, long learned, long timeMillis) {
        metrics.add(given.label(), truth, given.covers(truth), given.predictionSet().size(), given.abstain());
        double[] p = given.probabilities().probabilities();
        timeline.add(given.label(), truth, p.length > 1 ? p[1] : 0, given.covers(truth), given.abstain(), given.memberLabels(),
                learned, timeMillis);
    }

    /**
     * Shows a scored event to the input drift monitor. At a window's end the check goes on the
     * timeline (its uncertainty, a marker per warning or alert) and is returned; else null.
     */
    InputDriftMonitor.Check monitor(double[] values, Prediction p, long learned, long timeMillis) {
        InputDriftMonitor.Check check = inputs.observe(values, p, timeMillis);
        if (check != null) {
            timeline.uncertainty(learned, timeMillis, check.meanEntropy(), check.abstentionShare());
            for (ChannelResult result : check.channels()) {
                if (result.severity().compareTo(Severity.WARNING) >= 0) {
                    timeline.mark(learned, timeMillis, "input_drift", result.channel() + " " + result.severity().code());
                }
            }
        }
        return check;
    }
}
