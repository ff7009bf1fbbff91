package io.vigie.learner;

import java.util.Arrays;

/**
 * An alert line set by how many alerts a team can work a day: a binary model alerts on the events
 * whose positive-class probability is in the top {@code perDay / volume} share of its latest day
 * of scores (the latest {@code volume}, between {@value #MIN_WINDOW} and {@value #RECENT}), volume
 * being the events scored a day (told by the service from event times, {@link #expectVolume}).
 * The line is recomputed every tenth of that window (at most every {@value #EVERY} scorings, and
 * each time the scores known double, at first), so it follows the model as it learns; until a day's volume is known the share is that of the events
 * scored so far (the budget is not spent yet: more alerts early).
 */
public final class AlertBudget implements DecisionRule {
    private static final long serialVersionUID = 1L;
    static final int RECENT = 10_000;
    static final int EVERY = 500;
    static final int MIN_WINDOW = 100;

    private final int positive;
    private final long perDay;
    private final double[] recent = new double[RECENT];
    private int filled;
    private int next;
    private int sinceLine;
    private int filledAtLine;
    private long volume;
    private double line = Double.NEGATIVE_INFINITY;
    /** The share of the scores tied on the line that are alerted, and what is carried over between them. */
    private double tiedShare;
    private double tied;

    public AlertBudget(int positive, long perDay) {
        if (positive < 0 || positive > 1) {
            throw new LearnerException("the positive class of an alert budget must be 0 or 1, got " + positive);
        }
        if (perDay < 1) {
            throw new LearnerException("an alert budget is at least one alert a day, got " + perDay);
        }
        this.positive = positive;
        this.perDay = perDay;
    }

    @Override
    public int positive() {
        return positive;
    }

    public long perDay() {
        return perDay;
    }

    /** Events scored a day, as the service counts them: the budget is this share of them. */
    public void expectVolume(long eventsPerDay) {
        volume = eventsPerDay;
    }

    /** The probability from which it alerts now. */
    public double line() {
        return line;
    }

    @Override
    public ClassProbabilities decide(ClassProbabilities p) {
        double score = p.probability(positive);
        if (++sinceLine >= Math.min(EVERY, Math.max(1, window() / 10)) || filled >= 2 * filledAtLine) { // and as scores double at first
            sinceLine = 0;
            filledAtLine = Math.max(1, filled);
            recompute();
        }
        recent[next] = score;
        next = (next + 1) % RECENT;
        filled = Math.min(filled + 1, RECENT);
        boolean alert = score > line;
        if (score == line) { // scores tied on the line (a tree's leaf gives many): alerted in the share that fits the budget
            tied += tiedShare;
            alert = tied >= 1;
            tied -= alert ? 1 : 0;
        }
        return DecisionRule.labelled(p, alert ? positive : 1 - positive);
    }

    /** The scores the line is drawn from: about a day's (the latest {@code volume}), at least {@value #MIN_WINDOW}, at most {@value #RECENT}. */
    private int window() {
        return (int) Math.max(MIN_WINDOW, Math.min(RECENT, volume));
    }

    /** The line: the budget's share of the recent scores lies above it, or on it in {@link #tiedShare} of the tied ones. */
    private void recompute() {
        double share = Math.min(1.0, (double) perDay / Math.max(1, volume));
        int n = Math.min(filled, window());
        int alerts = (int) Math.ceil(share * n);
        if (n == 0 || alerts >= n) {
            line = Double.NEGATIVE_INFINITY;
            tiedShare = 0;
            return;
        }
        double[] sorted = new double[n];
        for (int i = 0; i < n; i++) {
            sorted[i] = recent[Math.floorMod(next - 1 - i, RECENT)];
        }
        Arrays.sort(sorted);
        line = sorted[n - alerts]; // the alerts-th highest
        int above = 0;
        int onLine = 0;
        for (double s : sorted) {
            above += s > line ? 1 : 0;
            onLine += s == line ? 1 : 0;
        }
        tiedShare = (double) (alerts - above) / onLine;
    }
}
