package io.vigie.server.model;

import io.vigie.learner.Prediction;
import io.vigie.learner.eval.BinaryRanking;

import java.io.Serializable;

/**
 * A champion and a challenger on the same events: only events both scored count, each side
 * measured on what it answered then (accuracy, kappa, coverage, abstentions, cost, PR-AUC for two
 * classes), over the whole stream and the latest {@link ServingMetrics#WINDOW} events, with the
 * counts of McNemar's paired test.
 */
public final class Comparison implements Serializable {
    private static final long serialVersionUID = 1L;

    private final boolean binary;
    private final ServingMetrics champion;
    private final ServingMetrics challenger;
    private final BinaryRanking championRanking = new BinaryRanking();
    private final BinaryRanking challengerRanking = new BinaryRanking();
    // the latest window's scores for the second class, for the recent PR-AUC
    private final double[] recentChampion = new double[ServingMetrics.WINDOW];
    private final double[] recentChallenger = new double[ServingMetrics.WINDOW];
    private final boolean[] recentPositive = new boolean[ServingMetrics.WINDOW];
    private long events;
    private long championOnlyRight;
    private long challengerOnlyRight;

    public Comparison(int numClasses) {
        this.binary = numClasses == 2;
        this.champion = new ServingMetrics(numClasses);
        this.challenger = new ServingMetrics(numClasses);
    }

    /** One event both scored, now labelled. */
    public void add(Prediction championAnswer, Prediction challengerAnswer, int truth) {
        measure(champion, championAnswer, truth);
        measure(challenger, challengerAnswer, truth);
        boolean a = championAnswer.label() == truth;
        boolean b = challengerAnswer.label() == truth;
        championOnlyRight += a && !b ? 1 : 0;
        challengerOnlyRight += b && !a ? 1 : 0;
        if (binary) {
            double sa = positiveScore(championAnswer);
            double sb = positiveScore(challengerAnswer);
            championRanking.add(sa, truth == 1);
            challengerRanking.add(sb, truth == 1);
            int slot = (int) (events % ServingMetrics.WINDOW);
            recentChampion[slot] = sa;
            recentChallenger[slot] = sb;
            recentPositive[slot] = truth == 1;
        }
        events++;
    }

    private static void measure(ServingMetrics metrics, Prediction p, int truth) {
        metrics.add(p.label(), truth, p.covers(truth), p.predictionSet().size(), p.abstain());
    }

    private static double positiveScore(Prediction p) {
        double[] probabilities = p.probabilities().probabilities();
        return probabilities.length > 1 ? probabilities[1] : 0;
    }

    /** Events both scored and labelled. */
    public long events() {
        return events;
    }

    public ServingMetrics champion() {
        return champion;
    }

    public ServingMetrics challenger() {
        return challenger;
    }

    /** PR-AUC of the champion's (or challenger's) scores for the second class; NaN for more than two classes. */
    public double prAuc(boolean ofChallenger) {
        return binary ? (ofChallenger ? challengerRanking : championRanking).prAuc() : Double.NaN;
    }

    /** The same over the latest window. */
    public double recentPrAuc(boolean ofChallenger) {
        if (!binary) {
            return Double.NaN;
        }
        BinaryRanking recent = new BinaryRanking();
        double[] scores = ofChallenger ? recentChallenger : recentChampion;
        for (int i = 0; i < Math.min(events, ServingMetrics.WINDOW); i++) {
            recent.add(scores[i], recentPositive[i]);
        }
        return recent.prAuc();
    }

    /** Events the champion got right and the challenger wrong. */
    public long championOnlyRight() {
        return championOnlyRight;
    }

    /** Events the challenger got right and the champion wrong. */
    public long challengerOnlyRight() {
        return challengerOnlyRight;
    }

    /**
     * McNemar's test on the discordant pairs, with continuity correction:
     * χ² = (|b − c| − 1)² / (b + c), one degree of freedom. 1 when no pair is discordant.
     */
    public double mcNemarPValue() {
        long n = championOnlyRight + challengerOnlyRight;
        if (n == 0) {
            return 1;
        }
        double d = Math.max(0, Math.abs(championOnlyRight - challengerOnlyRight) - 1.0);
        return weka.core.Statistics.chiSquaredProbability(d * d / n, 1);
    }
}
