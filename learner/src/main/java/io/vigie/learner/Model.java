package io.vigie.learner;

import com.yahoo.labs.samoa.instances.Instance;

import java.io.Serializable;
import java.util.List;

/**
 * A learner that knows what it does not know: it predicts with uncertainty, a conformal
 * prediction set and an abstention decision, and learns from labels that arrive late, each
 * label joined to the prediction that was made for its event.
 *
 * <p>Not thread-safe: one thread owns a model. Serializable whole (learner, calibration and
 * settings), so a snapshot restores a model that predicts exactly as the original.
 */
public final class Model implements Serializable {
    private static final long serialVersionUID = 1L;
    private final Learner learner;
    private final AbstentionSettings settings;
    private final ConformalSets conformal;
    /**
     * How a binary model decides "positive" (costs, an alert budget, a committee's kappa line), or
     * null: the most probable class (models saved before these rules had none).
     */
    private final DecisionRule operatingPoint;
    /** The chance of each answer being right, learned from labels; null in models saved before it was kept (made on first use). */
    private ExpectedPerformance expected;

    public Model(Learner learner, AbstentionSettings settings) {
        this(learner, settings, null);
    }

    public Model(Learner learner, AbstentionSettings settings, DecisionRule operatingPoint) {
        if (operatingPoint != null && learner.schema().numClasses() != 2) {
            throw new LearnerException("an alert line (costs or a budget) needs two classes, the schema has " + learner.schema().numClasses());
        }
        this.learner = learner;
        this.settings = settings;
        this.conformal = new ConformalSets(settings, learner.schema().numClasses());
        // a committee averages its experts, whose average seldom names a rare class: it decides at its kappa line
        this.operatingPoint = operatingPoint == null && learner instanceof Ensemble && learner.schema().numClasses() == 2
                ? new KappaLine() : operatingPoint;
        this.expected = newExpectedPerformance();
    }

    private ExpectedPerformance newExpectedPerformance() {
        return new ExpectedPerformance(learner.schema().numClasses() != 2 ? -1 : operatingPoint == null ? 1 : operatingPoint.positive());
    }

    /** Scores an unlabelled instance. */
    public Prediction predict(Instance instance) {
        ClassProbabilities p;
        Uncertainty uncertainty;
        List<Integer> memberLabels = List.of();
        if (learner instanceof Ensemble ensemble) {
            List<ClassProbabilities> members = ensemble.memberProba(instance);
            p = ensemble.combine(members);
            uncertainty = Uncertainty.of(p, members);
            memberLabels = ensemble.labelsToRemember(instance, members);
        } else {
            p = learner.predictProba(instance);
            uncertainty = Uncertainty.of(p);
        }
        List<Integer> set = conformal.predictionSet(p.probabilities());
        if (operatingPoint != null) {
            p = operatingPoint.decide(p);
        }
        Prediction.Reason reason = null;
        if (set.isEmpty()) {
            reason = Prediction.Reason.EMPTY_SET;
        } else if (set.size() > 1) {
            reason = Prediction.Reason.AMBIGUOUS_SET;
        } else if ((operatingPoint == null || !operatingPoint.decides())
                && settings.costError() * (1 - p.probability(p.label())) > settings.costAbstain()) {
            // an alert line (costs, a budget) already weighs what an error costs: this rule is theirs to replace
            reason = Prediction.Reason.EXPECTED_COST;
        }
        return new Prediction(p, uncertainty, set, reason != null, reason, memberLabels, learner.learned(), expected().chanceRight(p));
    }

    /**
     * The class distribution and decision {@link #predict} would give, alone: no uncertainty, no
     * prediction set, nothing to calibrate when the label comes (learn it with {@code
     * learner().learn}). What a reference such as a naive baseline is scored on.
     */
    public ClassProbabilities decide(Instance instance) {
        ClassProbabilities p = learner.predictProba(instance);
        return operatingPoint == null ? p : operatingPoint.decide(p);
    }

    /**
     * Learns a labelled instance whose event was scored earlier as {@code given}: the learner
     * learns it, and the conformal calibration takes in how that earlier prediction fared, and
     * how many labels were learned since it was made.
     */
    public void learn(Instance labelled, Prediction given) {
        int truth = (int) labelled.classValue();
        long feedbackDelay = given.learnedBefore() == Prediction.UNKNOWN ? 0 : Math.max(0, learner.learned() - given.learnedBefore());
        if (learner instanceof Ensemble ensemble && !given.memberLabels().isEmpty()) {
            ensemble.learn(labelled, given.memberLabels());
        } else {
            learner.learn(labelled);
        }
        // A prediction made before the model learned any label is a blind guess (under a long
        // delay, the first d events all are): its score says nothing of the model's errors, and its
        // set held every class for want of scores. Counted, d such covered sets pushed α up at the
        // large steps of short delays (the first labels come while few others have been learned),
        // and weather at a 1,000-event delay paid it back all stream long: coverage 88.4 %. Nor
        // does the chance of being right learn from them: every blind score is the same.
        if (given.learnedBefore() != 0) {
            conformal.calibrate(given.probabilities().probabilities(), given.covers(truth), truth, feedbackDelay);
            expected().learn(given.probabilities(), truth);
        }
        if (operatingPoint != null) {
            int positive = operatingPoint.positive();
            operatingPoint.learn(given.probabilities().probability(positive), truth == positive);
        }
    }

    /**
     * Learns a labelled instance that was never scored, test-then-train: it is scored first, as
     * the model is now, and that prediction is what calibration and the committee's weights learn from.
     */
    public Prediction learnUnscored(Instance labelled) {
        Prediction given = predict(learner.schema().withoutLabel(labelled));
        learn(labelled, given);
        return given;
    }

    /** How the chance of an answer being right is read from its score. */
    public ExpectedPerformance expected() {
        if (expected == null) {
            expected = newExpectedPerformance();
        }
        return expected;
    }

    /** The learner inside. */
    public Learner learner() {
        return learner;
    }

    public AbstentionSettings settings() {
        return settings;
    }

    /** How it decides "positive" (costs, an alert budget, a committee's kappa line), or null when it names the most probable class. */
    public DecisionRule operatingPoint() {
        return operatingPoint;
    }
}
