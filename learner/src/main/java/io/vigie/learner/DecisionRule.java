package io.vigie.learner;

import java.io.Serializable;

/**
 * How a binary model turns its probabilities into an answer when the most probable class is not
 * what its users want: an alert line set by costs ({@link OperatingPoint}) or by a daily alert
 * budget ({@link AlertBudget}), or for a committee where a class is rare, the line of best kappa
 * ({@link KappaLine}). The conformal set is built before and is not changed by it.
 */
public interface DecisionRule extends Serializable {
    /** The class an alert names. */
    int positive();

    /** The distribution with its label decided by the rule. */
    ClassProbabilities decide(ClassProbabilities p);

    /**
     * Whether the rule sets the label now; one that stands aside leaves the most probable class,
     * and the abstention on expected cost, as without a rule.
     */
    default boolean decides() {
        return true;
    }

    /** Takes in a label: the positive class's probability when its event was scored, and whether it was positive. */
    default void learn(double scoreOfPositive, boolean positive) {
    }

    /** The distribution with label {@code label}, the same one when it already says so. */
    static ClassProbabilities labelled(ClassProbabilities p, int label) {
        return label == p.label() ? p : new ClassProbabilities(p.probabilities(), label, p.noOpinion(), p.irregular());
    }
}
