package io.vigie.server.model;

import io.vigie.learner.monitor.InputDriftMonitor;

import java.io.Serializable;

/**
 * What the service keeps about a model besides the model itself, stored with it in each
 * snapshot: how its answers fared once labelled, its quality over time, the label-free drift
 * monitor of what it is asked to score, and its challengers.
 */
record ServingState(ServingMetrics metrics, Timeline timeline, InputDriftMonitor inputs, Challengers challengers)
        implements Serializable {
}
