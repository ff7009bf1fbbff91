package io.vigie.learner.eval;

/**
 * How one learner did on a stream.
 *
 * @param name           the name it was evaluated under
 * @param spec           its full MOA spec (seed included), or the preset name
 * @param cumulative     metrics over the whole stream (MOA's definitions)
 * @param windowed       metrics over the last {@code window} events
 * @param irregularVotes predictions where MOA's raw votes held NaN, an infinity or a negative
 *                       value (where MOA's own argmax may differ from ours)
 * @param noOpinion      predictions where the learner gave no usable vote
 * @param rocAuc         ROC-AUC of the positive class (NaN for multi-class streams)
 * @param prAuc          average precision of the positive class (NaN for multi-class streams)
 * @param trust          how its prediction sets and abstentions did
 * @param driftResets    members the learner replaced after drifts (committees), 0 otherwise
 * @param cardPrecision  card precision at 100, mean over days, for streams whose events name
 *                       their card and time; NaN otherwise
 * @param period         the same ranking metrics over the evaluation's report period only, or
 *                       null when none was set
 * @param alertsPerDay   binary streams in time: the mean number of alerts (the positive class
 *                       predicted) per whole day of event time; NaN otherwise
 * @param estimates      its figures as estimated before the labels came, beside the realised
 *                       ones; null for references
 */
public record LearnerResult(String name, String spec, Metrics cumulative, Metrics windowed, long irregularVotes,
                            long noOpinion, double rocAuc, double prAuc, Trust trust, int driftResets,
                            double cardPrecision, Period period, double alertsPerDay, Estimates estimates) {

    /**
     * Accuracy estimated from each answer's chance of being right, made when the answer was
     * given, against the accuracy realised once labels came: over the whole stream and window by
     * window of predictions. Answers given before the model could estimate (too few labels yet)
     * are left out of both.
     *
     * @param accuracy          the mean estimate over every answer that had one
     * @param realisedAccuracy  the accuracy of those answers
     * @param meanAbsoluteError the mean distance between a window's estimate and its realised accuracy
     * @param gaps              windows whose realised accuracy fell outside the estimate's band
     * @param windows           each window of predictions that had an estimate for at least half its answers
     */
    public record Estimates(double accuracy, double realisedAccuracy, double meanAbsoluteError, int gaps,
                            java.util.List<Estimate> windows) {
        public Estimates {
            windows = java.util.List.copyOf(windows);
        }
    }

    /**
     * One window of predictions: its figures as estimated before its labels, and as realised
     * (precision, recall and PR-AUC of the positive class on binary streams, else NaN).
     *
     * @param end  the number of events at the window's end
     * @param band how far realised accuracy could stray from the estimate by chance
     * @param gap  whether it strayed further: the link between score and truth moved
     */
    public record Estimate(long end, double accuracy, double realisedAccuracy, double band, boolean gap,
                           double precision, double realisedPrecision, double recall, double realisedRecall,
                           double prAuc, double realisedPrAuc) {
    }

    /**
     * Ranking metrics over a span of stream time, such as the Fraud-Detection Handbook's test week.
     *
     * @param events        events in the period
     * @param accuracy      accuracy over them
     * @param prAuc         average precision over them
     * @param cardPrecision card precision at 100, mean over the period's days
     */
    public record Period(long events, double accuracy, double prAuc, double cardPrecision) {
    }

    /**
     * Prediction sets and abstention over the whole stream.
     *
     * @param coverage          share of events whose prediction set held the true class
     * @param meanSetSize       mean number of classes in a prediction set
     * @param abstentionRate    share of events the model abstained on
     * @param selectiveAccuracy accuracy over the events it answered (NaN if it answered none)
     * @param coverageByWindow  coverage over each successive window of the evaluation's window
     *                          size (a last, partial window left out): how coverage held over time
     */
    public record Trust(double coverage, double meanSetSize, double abstentionRate, double selectiveAccuracy,
                        double[] coverageByWindow) {
        public Trust {
            coverageByWindow = coverageByWindow.clone();
        }

        /** A copy: a result does not change once made. */
        @Override
        public double[] coverageByWindow() {
            return coverageByWindow.clone();
        }
    }

    /**
     * One set of classification metrics.
     *
     * @param count    predictions counted
     * @param correct  correct predictions
     * @param accuracy correct / count
     * @param kappa    Cohen's kappa
     * @param kappaTemporal kappa against the no-change classifier
     * @param kappaM   kappa against the majority classifier
     * @param precision of the predictions of the positive class, the share right (binary streams; NaN otherwise)
     * @param recall   of the events of the positive class, the share predicted as it (binary streams; NaN otherwise)
     * @param falseAlerts negatives predicted positive (binary streams; 0 otherwise)
     * @param misses   positives predicted negative (binary streams; 0 otherwise)
     */
    public record Metrics(long count, long correct, double accuracy, double kappa, double kappaTemporal, double kappaM,
                          double precision, double recall, long falseAlerts, long misses) {
        /** The metrics, with precision and recall of class {@code positive} (none when it is negative). */
        static Metrics of(ClassificationMetrics m, int positive) {
            boolean binary = positive >= 0;
            return new Metrics(m.count(), m.correct(), m.accuracy(), m.kappa(), m.kappaTemporal(), m.kappaM(),
                    binary ? m.precision(positive) : Double.NaN, binary ? m.recall(positive) : Double.NaN,
                    binary ? m.falsePositives(positive) : 0, binary ? m.falseNegatives(positive) : 0);
        }

        /** The mean cost of an event's decision, a miss costing {@code missed} and a false alert {@code falseAlert}. */
        public double costPerEvent(double missed, double falseAlert) {
            return (missed * misses + falseAlert * falseAlerts) / count;
        }
    }
}
