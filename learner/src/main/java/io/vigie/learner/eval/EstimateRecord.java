package io.vigie.learner.eval;

import java.io.Serializable;

/**
 * How far the accuracy estimates of the latest {@value #KEPT} windows fell from what their labels
 * then said: the estimator's own track record, which widens its band by as much. The estimate's
 * chances come from labels one delay old; a model whose scores shift as it learns (a committee
 * moving its weight between experts) errs by more than coin flips explain, and this is how much.
 * A window that showed a gap is not taken in: a change of concept is not the estimator's usual error,
 * and while it lasts every window should show it.
 */
public final class EstimateRecord implements Serializable {
    private static final long serialVersionUID = 1L;
    static final int KEPT = 10;
    /** Windows in the record before it is a record. */
    static final int TRUSTED = 3;

    private final double[] squaredErrors = new double[KEPT];
    private int filled;
    private int next;

    /** A window's estimate met its realised accuracy. */
    public void add(double estimated, double realised) {
        double error = estimated - realised;
        squaredErrors[next] = error * error;
        next = (next + 1) % KEPT;
        filled = Math.min(filled + 1, KEPT);
    }

    /** Windows kept. */
    public int windows() {
        return filled;
    }

    /** The mean squared error of the windows kept, 0 before any. */
    public double meanSquaredError() {
        double sum = 0;
        for (int i = 0; i < filled; i++) {
            sum += squaredErrors[i];
        }
        return filled == 0 ? 0 : sum / filled;
    }
}
