package io.vigie.server.model;

import io.vigie.learner.monitor.InputDriftMonitor;

import java.io.Serializable;

/**
 * What the service tracks about a model besides the model itself, stored with it in each
 * snapshot: how its answers fared once labelled, its quality over time, and the label-free
 * drift monitor of what it is asked to score.
 */
record ServingState(ServingMetrics metrics, Timeline timeline, InputDriftMonitor inputs) implements Serializable {
}
