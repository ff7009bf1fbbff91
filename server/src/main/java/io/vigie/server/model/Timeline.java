package io.vigie.server.model;

import io.vigie.learner.eval.BinaryRanking;
import io.vigie.learner.eval.ClassificationMetrics;

import java.io.Serializable;
import java.util.ArrayDeque;
import java.util.Arrays;
import java.util.Deque;
import java.util.List;

/**
 * A model's quality over time, for analysts: one point per {@link #WINDOW} labels (accuracy,
 * kappa, PR-AUC, coverage, abstention rate, each member's accuracy, over those labels), the
 * label-free uncertainty of each window of predictions, and markers for member resets and input
 * drift alerts. Everything is placed by the number of events learned, so the series line up.
 * Kept in snapshots; labelled points are rebuilt exactly by replay, prediction-side series hold
 * what the last snapshot saw.
 */
public final class Timeline implements Serializable {
    private static final long serialVersionUID = 1L;
    /** Labels per point. */
    public static final int WINDOW = 1000;
    /** Entries kept per series, oldest dropped first. */
    public static final int KEPT = 1000;

    private final int numClasses;
    private final Deque<Point> points = new ArrayDeque<>();
    private final Deque<Uncertainty> uncertainty = new ArrayDeque<>();
    private final Deque<Marker> markers = new ArrayDeque<>();
    // the window being filled
    private ClassificationMetrics window;
    private BinaryRanking ranking;
    private long covered;
    private long abstained;
    private long[] membersCorrect = new long[0];
    /** Members every labelled answer of the window had (a committee adds a trial candidate now and then). */
    private int members = Integer.MAX_VALUE;

    /**
     * The figures over one window of labels.
     *
     * @param learned        events learned at the window's end
     * @param timeMillis     when its last label came
     * @param memberAccuracy each member's accuracy over the window, in member order (empty for single learners)
     * @param precision      binary models: of the window's alerts (the positive class decided), the share right;
     *                       null in points kept before it was (boxed for that: a missing field reads as null)
     * @param recall         binary models: of the window's positives, the share alerted; likewise
     */
    public record Point(long learned, long timeMillis, long labels, double accuracy, double kappa, double prAuc,
                        double coverage, double abstentionRate, List<Double> memberAccuracy, Double precision,
                        Double recall) implements Serializable {
    }

    /** Mean entropy and abstention share over a window of predictions, no label needed. */
    public record Uncertainty(long learned, long timeMillis, double meanEntropy, double abstentionShare) implements Serializable {
    }

    /**
     * Something an analyst should see on the plot.
     *
     * @param kind   {@code member_reset} or {@code input_drift}
     * @param detail which member, or which channel at which tier
     */
    public record Marker(long learned, long timeMillis, String kind, String detail) implements Serializable {
    }

    public Timeline(int numClasses) {
        this.numClasses = numClasses;
        startWindow();
    }

    private void startWindow() {
        window = new ClassificationMetrics(numClasses);
        ranking = new BinaryRanking();
        covered = 0;
        abstained = 0;
        Arrays.fill(membersCorrect, 0);
        members = Integer.MAX_VALUE;
    }

    /**
     * Takes in one labelled answer.
     *
     * @param positive      the class alerts name (binary models)
     * @param positiveScore its score, for PR-AUC (binary models; ignored otherwise)
     * @param memberLabels  each member's predicted class when the event was scored
     */
    public void add(int predicted, int truth, int positive, double positiveScore, boolean isCovered, boolean isAbstained,
                    List<Integer> memberLabels, long learned, long timeMillis) {
        window.add(predicted, truth);
        boolean binary = numClasses == 2;
        if (binary) {
            ranking.add(positiveScore, truth == positive);
        }
        covered += isCovered ? 1 : 0;
        abstained += isAbstained ? 1 : 0;
        if (memberLabels.size() > membersCorrect.length) {
            membersCorrect = Arrays.copyOf(membersCorrect, memberLabels.size());
        }
        members = Math.min(members, memberLabels.size());
        for (int m = 0; m < memberLabels.size(); m++) {
            membersCorrect[m] += memberLabels.get(m) == truth ? 1 : 0;
        }
        long n = window.count();
        if (n < WINDOW) {
            return;
        }
        Double[] accuracy = new Double[members];
        for (int m = 0; m < members; m++) {
            accuracy[m] = (double) membersCorrect[m] / n;
        }
        keep(points, new Point(learned, timeMillis, n, window.accuracy(), window.kappa(),
                binary ? ranking.prAuc() : Double.NaN, (double) covered / n, (double) abstained / n, List.of(accuracy),
                binary ? window.precision(positive) : Double.NaN, binary ? window.recall(positive) : Double.NaN));
        startWindow();
    }

    public void uncertainty(long learned, long timeMillis, double meanEntropy, double abstentionShare) {
        keep(uncertainty, new Uncertainty(learned, timeMillis, meanEntropy, abstentionShare));
    }

    public void mark(long learned, long timeMillis, String kind, String detail) {
        keep(markers, new Marker(learned, timeMillis, kind, detail));
    }

    private static <T> void keep(Deque<T> series, T entry) {
        if (series.size() == KEPT) {
            series.removeFirst();
        }
        series.addLast(entry);
    }

    /** The latest point, or null before a window of labels is complete. */
    public Point latest() {
        return points.peekLast();
    }

    public List<Point> points() {
        return List.copyOf(points);
    }

    public List<Uncertainty> uncertainty() {
        return List.copyOf(uncertainty);
    }

    public List<Marker> markers() {
        return List.copyOf(markers);
    }
}
