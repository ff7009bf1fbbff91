package io.vigie.learner;

import java.util.Arrays;

/**
 * An alert line set by how many alerts a team can work a day: a binary model alerts on the events
 * whose positive-class probability is in the top {@code perDay / volume} share of the latest
 * {@value #RECENT} scores, volume being the events scored a day (told by the service from event
 * times, {@link #expectVolume}). The line is recomputed every {@value #EVERY} scorings (and each
 * time the scores known double, at first), so it follows the model as it learns; until a day's volume is known the share is that of the events
 * scored so far (the budget is not spent yet: more alerts early).
 */
public final class AlertBudget implements DecisionRule {
    private static final long serialVersionUID = 1L;
    static final int RECENT = 10_000;
    static final int EVERY = 500;

    private final int positive;
    private final long perDay;
    private final double[] recent = new double[RECENT];
    private int filled;
    private int next;
    private int sinceLine;
    private int filledAtLine;
    private long volume;
    private double line = 0;

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
        if (++sinceLine >= EVERY || filled >= 2 * filledAtLine) { // and while few scores are known, each time they double
            sinceLine = 0;
            filledAtLine = Math.max(1, filled);
            line = recompute();
        }
        recent[next] = score;
        next = (next + 1) % RECENT;
        filled = Math.min(filled + 1, RECENT);
        return DecisionRule.labelled(p, score >= line ? positive : 1 - positive);
    }

    /** The score above which the budget's share of the recent scores lies. */
    private double recompute() {
        if (filled == 0) {
            return 0;
        }
        double share = Math.min(1.0, (double) perDay / Math.max(1, volume));
        int alerts = (int) Math.ceil(share * filled);
        if (alerts >= filled) {
            return 0;
        }
        double[] sorted = Arrays.copyOf(recent, filled);
        Arrays.sort(sorted);
        return Math.nextUp(sorted[filled - alerts - 1]); // the alerts-th highest score and up
    }
}
