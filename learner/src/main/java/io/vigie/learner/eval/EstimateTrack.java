package io.vigie.learner.eval;

import io.vigie.learner.Prediction;

import java.util.ArrayList;
import java.util.List;

/**
 * One model's figures estimated before the labels ({@link EstimatedWindow}) beside the realised
 * ones, window by window of predictions, for an evaluation: the answers of a window were each
 * given a chance of being right when they were made, and their labels say how they did.
 */
final class EstimateTrack {
    private final int positive;
    private final int window;
    private long events;
    private EstimatedWindow estimated;
    // the window's realised figures, over the answers that had an estimate: right, alerts, true alerts, positives
    private long windowRight;
    private long alerts;
    private long trueAlerts;
    private long positives;
    private BinaryRanking ranking;
    private double chances;
    private long estimatedAnswers;
    private long right;
    private final List<LearnerResult.Estimate> windows = new ArrayList<>();
    private final EstimateRecord record = new EstimateRecord();

    /** @param positive the class alerts name on binary streams, -1 otherwise */
    EstimateTrack(int positive, int window) {
        this.positive = positive;
        this.window = window;
        startWindow();
    }

    private void startWindow() {
        estimated = new EstimatedWindow(positive);
        windowRight = 0;
        alerts = 0;
        trueAlerts = 0;
        positives = 0;
        ranking = positive < 0 ? null : new BinaryRanking();
    }

    /** An answer and the label it turned out to have. */
    void add(Prediction answer, int truth) {
        events++;
        double chance = answer.chanceRight();
        if (!Double.isNaN(chance)) {
            estimated.add(answer.probabilities(), chance);
            int isRight = answer.label() == truth ? 1 : 0;
            windowRight += isRight;
            if (ranking != null) {
                ranking.add(answer.probabilities().probability(positive), truth == positive);
                boolean alert = answer.label() == positive;
                alerts += alert ? 1 : 0;
                trueAlerts += alert && truth == positive ? 1 : 0;
                positives += truth == positive ? 1 : 0;
            }
            chances += chance;
            estimatedAnswers++;
            right += isRight;
        }
        if (events % window == 0) {
            if (estimated.count() >= window / 2) {
                double accuracy = (double) windowRight / estimated.count();
                boolean binary = ranking != null;
                double band = estimated.band(record);
                boolean gap = estimated.gap(accuracy, record);
                windows.add(new LearnerResult.Estimate(events, estimated.accuracy(), accuracy, band, gap,
                        estimated.precision(), binary && alerts > 0 ? (double) trueAlerts / alerts : Double.NaN,
                        estimated.recall(), binary && positives > 0 ? (double) trueAlerts / positives : Double.NaN,
                        estimated.prAuc(), binary ? ranking.prAuc() : Double.NaN));
            }
            startWindow();
        }
    }

    LearnerResult.Estimates result() {
        double error = windows.stream().mapToDouble(w -> Math.abs(w.accuracy() - w.realisedAccuracy())).average().orElse(Double.NaN);
        int gaps = (int) windows.stream().filter(LearnerResult.Estimate::gap).count();
        return new LearnerResult.Estimates(estimatedAnswers == 0 ? Double.NaN : chances / estimatedAnswers,
                estimatedAnswers == 0 ? Double.NaN : (double) right / estimatedAnswers, error, gaps, windows);
    }
}
