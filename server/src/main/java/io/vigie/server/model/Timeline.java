package io.vigie.server.model;

import io.vigie.learner.ClassProbabilities;
import io.vigie.learner.eval.BinaryRanking;
import io.vigie.learner.eval.ClassificationMetrics;
import io.vigie.learner.eval.EstimateRecord;
import io.vigie.learner.eval.EstimatedWindow;

import java.io.Serializable;
import java.util.ArrayDeque;
import java.util.Arrays;
import java.util.Deque;
import java.util.List;

/**
 * A model's quality over time, for analysts: one point per {@link #WINDOW} labels (accuracy,
 * kappa, PR-AUC, coverage, abstention rate, each member's accuracy, over those labels, and the
 * accuracy that was estimated for the same answers before their labels), the label-free
 * uncertainty and estimated figures of each window of predictions, and markers for member
 * resets, input drift alerts and estimate gaps (labels that fell short of the estimate: a
 * change of concept). Everything is placed by the number of events learned, so the series line up.
 * Kept in snapshots; labelled points are rebuilt exactly by replay, prediction-side series hold
 * what the last snapshot saw.
 */
public final class Timeline implements Serializable {
    private static final long serialVersionUID = 1L;
    /** Labels per point. */
    public static final int WINDOW = 1000;
    /** Entries kept per series, oldest dropped first. */
    public static final int KEPT = 1000;
    /** The marker of a window of labels that fell short of its estimate (also published on Kafka's drift topic). */
    public static final String ESTIMATE_GAP = "estimate_gap";

    private final int numClasses;
    private final Deque<Point> points = new ArrayDeque<>();
    private final Deque<Uncertainty> uncertainty = new ArrayDeque<>();
    private final Deque<Marker> markers = new ArrayDeque<>();
    // the window being filled
    private ClassificationMetrics window;
    private BinaryRanking ranking;
    private long covered;
    private long abstained;
    /** Of the window's answers that had an estimate, those right. */
    private long realisedOfEstimated;
    private long[] membersCorrect = new long[0];
    /** Members every labelled answer of the window had (a committee adds a trial candidate now and then). */
    private int members = Integer.MAX_VALUE;
    /** What the window's answers were estimated to score when given; null in timelines kept before it was. */
    private EstimatedWindow estimated;
    private EstimateRecord record;

    /**
     * The figures over one window of labels.
     *
     * @param learned        events learned at the window's end
     * @param timeMillis     when its last label came
     * @param memberAccuracy each member's accuracy over the window, in member order (empty for single learners)
     * @param precision      binary models: of the window's alerts (the positive class decided), the share right;
     *                       null in points kept before it was (boxed for that: a missing field reads as null)
     * @param recall         binary models: of the window's positives, the share alerted; likewise
     * @param estimatedAccuracy the accuracy estimated for the window's answers when they were given,
     *                       over those that had an estimate (null when none had, and in points kept before it was)
     * @param band           how far below the estimate the accuracy could fall by chance (null likewise)
     * @param gap            whether it fell further: an estimate gap, marked on the timeline (null likewise)
     */
    public record Point(long learned, long timeMillis, long labels, double accuracy, double kappa, double prAuc,
                        double coverage, double abstentionRate, List<Double> memberAccuracy, Double precision,
                        Double recall, Double estimatedAccuracy, Double band, Boolean gap) implements Serializable {
    }

    /**
     * Mean entropy and abstention share over a window of predictions, no label needed, and the
     * figures its answers are estimated to score; {@code estimated} is null when none could be
     * estimated yet (and in entries kept before they were).
     */
    public record Uncertainty(long learned, long timeMillis, double meanEntropy, double abstentionShare,
                              Estimated estimated) implements Serializable {
    }

    /**
     * A window of predictions' figures, estimated before its labels: accuracy, and for binary
     * models precision and recall of the positive class and PR-AUC (NaN otherwise).
     */
    public record Estimated(double accuracy, double precision, double recall, double prAuc) implements Serializable {
        /** The window's estimates, or null when none of its answers had one. */
        public static Estimated of(EstimatedWindow window) {
            return window.count() == 0 ? null : new Estimated(window.accuracy(), window.precision(), window.recall(), window.prAuc());
        }
    }

    /**
     * Something an analyst should see on the plot.
     *
     * @param kind   {@code member_reset}, {@code input_drift}, {@code estimate_gap}, {@code promotion} or {@code lost_record}
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
        realisedOfEstimated = 0;
        Arrays.fill(membersCorrect, 0);
        members = Integer.MAX_VALUE;
        estimated = new EstimatedWindow(-1); // accuracy alone is compared with the labels
    }

    /**
     * Takes in one labelled answer.
     *
     * @param positive      the class alerts name (binary models)
     * @param positiveScore its score, for PR-AUC (binary models; ignored otherwise)
     * @param memberLabels  each member's predicted class when the event was scored
     * @param answer        the answer given, with the chance of being right it was given ({@code chanceRight}, NaN when none)
     */
    public void add(int predicted, int truth, int positive, double positiveScore, boolean isCovered, boolean isAbstained,
                    List<Integer> memberLabels, ClassProbabilities answer, double chanceRight, long learned, long timeMillis) {
        window.add(predicted, truth);
        if (estimated == null) { // a timeline kept before estimates were
            estimated = new EstimatedWindow(-1);
        }
        estimated.add(answer, chanceRight);
        realisedOfEstimated += !Double.isNaN(chanceRight) && predicted == truth ? 1 : 0;
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
        Double estimate = null;
        Double band = null;
        Boolean gap = null;
        if (estimated.count() > 0) {
            if (record == null) {
                record = new EstimateRecord();
            }
            double realised = (double) realisedOfEstimated / estimated.count();
            estimate = estimated.accuracy();
            band = estimated.band(record);
            gap = estimated.gap(realised, record);
            if (gap) {
                mark(learned, timeMillis, ESTIMATE_GAP, String.format(java.util.Locale.ROOT,
                        "accuracy %.4f against %.4f estimated (band %.4f)", realised, estimate, band));
            }
        }
        keep(points, new Point(learned, timeMillis, n, window.accuracy(), window.kappa(),
                binary ? ranking.prAuc() : Double.NaN, (double) covered / n, (double) abstained / n, List.of(accuracy),
                binary ? window.precision(positive) : Double.NaN, binary ? window.recall(positive) : Double.NaN,
                estimate, band, gap));
        startWindow();
    }

    /** A window of predictions closed: its uncertainty, and what its answers are estimated to score (null when none could be). */
    public void uncertainty(long learned, long timeMillis, double meanEntropy, double abstentionShare, Estimated estimated) {
        keep(uncertainty, new Uncertainty(learned, timeMillis, meanEntropy, abstentionShare, estimated));
    }

    /** PR-AUC of the latest complete window of labels (binary models), NaN before one. */
    public double latestPrAuc() {
        Point latest = points.peekLast();
        return latest == null ? Double.NaN : latest.prAuc();
    }

    /** What the latest window of predictions is estimated to score, or null before one could be estimated. */
    public Estimated latestEstimate() {
        Uncertainty latest = uncertainty.peekLast();
        return latest == null ? null : latest.estimated();
    }

    /** 1 when the latest window of labels fell short of its estimate (a gap), 0 when not, NaN when it had no estimate. */
    public double latestGap() {
        Point latest = points.peekLast();
        return latest == null || latest.gap() == null ? Double.NaN : latest.gap() ? 1 : 0;
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
