package io.vigie.learner;

import com.yahoo.labs.samoa.instances.Instance;

import java.util.List;

/**
 * A learner made of members whose votes it combines. The capability is a type: callers that
 * want member disagreement ask {@code learner instanceof Ensemble}.
 */
public interface Ensemble extends Learner {

    /** Each member's class distribution for an instance, in member order. */
    List<ClassProbabilities> memberProba(Instance instance);

    /** Combines members' distributions, as returned by {@link #memberProba}, into the ensemble's. */
    ClassProbabilities combine(List<ClassProbabilities> members);

    @Override
    default ClassProbabilities predictProba(Instance instance) {
        return combine(memberProba(instance));
    }

    /**
     * What to remember of a scoring until its label arrives: by default each member's predicted
     * class. An ensemble may add more (a committee adds its challenger's prediction).
     */
    default List<Integer> labelsToRemember(Instance instance, List<ClassProbabilities> members) {
        return members.stream().map(ClassProbabilities::label).toList();
    }

    /**
     * Learns a labelled instance, given what {@link #labelsToRemember} returned when its event
     * was scored: the members' weights learn from how those predictions fared, which under label
     * delay is not what the members would predict now.
     */
    void learn(Instance labelled, List<Integer> remembered);

    /** The members it replaced after drifts, oldest first. */
    default List<DriftReset> resets() {
        return List.of();
    }

    /** Learns a labelled instance that was never scored: it is scored first, then learned. */
    @Override
    default void learn(Instance labelled) {
        Instance unlabelled = schema().withoutLabel(labelled);
        learn(labelled, labelsToRemember(unlabelled, memberProba(unlabelled)));
    }
}
