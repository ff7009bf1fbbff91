package io.vigie.learner;

import com.yahoo.labs.samoa.instances.Instance;

import java.util.List;

/**
 * An online classifier with two verbs: {@link #learn} from a labelled instance and
 * {@link #predictProba} for an unlabelled one. Everything else (the predicted class,
 * uncertainty, prediction sets, abstention) is derived from the probabilities, outside.
 *
 * <p>A learner is not thread-safe: one thread owns it. Build one with {@link Learners#create}.
 */
public interface Learner {

    /** Learns from an instance whose class value is set. */
    void learn(Instance labelled);

    /** The class distribution for an instance; its class value is ignored. */
    ClassProbabilities predictProba(Instance instance);

    /** The spec this learner was built from (its provenance). */
    ModelSpec spec();

    /** The schema of the instances it takes. */
    Schema schema();

    /** How many labelled instances it has learned from. */
    long learned();

    /** A read-only view of its internals: tree sizes, ensemble members, drift counts. */
    ModelState state();

    /**
     * Whether predicting changes nothing in the learner: then one thread may serialize it while
     * another predicts with it (a snapshot taken while it serves). False unless known: some MOA
     * classifiers keep state as they predict.
     */
    default boolean predictsWithoutChange() {
        return false;
    }

    /** Why it answers as it does for an instance; by default only its class distribution. */
    default Explanation explain(Instance instance) {
        return new Explanation(spec().model(), predictProba(instance), List.of(), List.of());
    }
}
