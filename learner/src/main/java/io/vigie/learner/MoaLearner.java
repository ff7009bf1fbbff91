package io.vigie.learner;

import com.yahoo.labs.samoa.instances.Instance;
import moa.classifiers.Classifier;

import java.io.Serializable;

/** A {@link Learner} backed by one MOA classifier; the only class that calls MOA's learning API. */
final class MoaLearner implements Learner, Serializable {
    private static final long serialVersionUID = 1L;
    private final ModelSpec spec;
    private final Schema schema;
    private final Classifier classifier;
    private long learned;

    MoaLearner(ModelSpec spec, Schema schema, Classifier classifier, long learned) {
        this.spec = spec;
        this.schema = schema;
        this.classifier = classifier;
        this.learned = learned;
    }

    @Override
    public void learn(Instance labelled) {
        classifier.trainOnInstance(labelled);
        learned++;
    }

    @Override
    public ClassProbabilities predictProba(Instance instance) {
        return ClassProbabilities.fromVotes(classifier.getVotesForInstance(instance), schema.numClasses());
    }

    /**
     * The MOA classifiers whose {@code getVotesForInstance} writes no field once they have learned
     * (read from their bytecode: ARF builds its forest on the first call only, before any
     * snapshot), and Vigie's own patches and forest, tested to predict byte for byte without change.
     */
    private static final java.util.Set<String> PREDICT_WITHOUT_CHANGE = java.util.Set.of(
            "moa.classifiers.trees.HoeffdingTree", "moa.classifiers.trees.HoeffdingAdaptiveTree",
            "moa.classifiers.meta.AdaptiveRandomForest", "moa.classifiers.meta.LeveragingBag", "moa.classifiers.bayes.NaiveBayes",
            "moa.classifiers.functions.NoChange", "moa.classifiers.functions.MajorityClass", RandomPatches.class.getName(),
            AdaptiveForest.class.getName());

    @Override
    public boolean predictsWithoutChange() {
        return PREDICT_WITHOUT_CHANGE.contains(classifier.getClass().getName());
    }

    @Override
    public ModelSpec spec() {
        return spec;
    }

    @Override
    public Schema schema() {
        return schema;
    }

    @Override
    public long learned() {
        return learned;
    }

    @Override
    public ModelState state() {
        return ModelInspector.inspect(classifier, learned);
    }

    /** A tree's decision path for the instance (see {@link DecisionPath}). */
    @Override
    public Explanation explain(Instance instance) {
        return new Explanation(spec.model(), predictProba(instance), DecisionPath.of(classifier, instance, schema.header()),
                java.util.List.of());
    }

    @Override
    public String toString() {
        return "Learner[" + spec.displayName() + ", seed " + spec.seed() + ", learned " + learned + "]";
    }
}
