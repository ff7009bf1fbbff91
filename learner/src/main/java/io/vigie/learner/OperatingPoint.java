package io.vigie.learner;

/**
 * Where a binary model says "positive": at the probability where raising an alert and letting the
 * event pass cost the same. With a missed positive costing {@code missed} and a false alert
 * {@code falseAlert}, an alert is cheaper in expectation once p · missed &gt; (1 − p) · falseAlert,
 * that is above falseAlert / (missed + falseAlert). At 6 % frauds the argmax says "genuine" almost
 * always; costs of 50 to 1 put the line near 2 %.
 *
 * @param positive   the class an alert names
 * @param missed     the cost of a positive let through
 * @param falseAlert the cost of an alert on a negative
 */
public record OperatingPoint(int positive, double missed, double falseAlert) implements DecisionRule {
    public OperatingPoint {
        if (positive < 0 || positive > 1) {
            throw new LearnerException("the positive class of an operating point must be 0 or 1, got " + positive);
        }
        if (!(missed > 0) || !(falseAlert > 0) || Double.isInfinite(missed) || Double.isInfinite(falseAlert)) {
            throw new LearnerException("costs must be positive and finite, got missed " + missed + " and false alert " + falseAlert);
        }
    }

    /** The probability of the positive class from which an alert is raised. */
    public double threshold() {
        return falseAlert / (missed + falseAlert);
    }

    /** The distribution with its label decided here: the positive class at or above the threshold, else the other. */
    @Override
    public ClassProbabilities decide(ClassProbabilities p) {
        return DecisionRule.labelled(p, p.probability(positive) >= threshold() ? positive : 1 - positive);
    }
}
