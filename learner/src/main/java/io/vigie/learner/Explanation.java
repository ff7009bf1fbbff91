package io.vigie.learner;

import java.util.List;

/**
 * Why a learner answers as it does for one event: for a Hoeffding tree (plain, adaptive, or a
 * forest's member) the conditions from the root to the leaf the event reaches; for a committee,
 * each member's weight and its own explanation.
 *
 * @param model         the learner (preset or MOA CLI string)
 * @param probabilities its class distribution for the event
 * @param path          split conditions from the root down, as MOA words them ({@code age <= 40.5});
 *                      empty for learners that are not trees
 * @param members       for committees, each member in order; empty otherwise
 */
public record Explanation(String model, ClassProbabilities probabilities, List<String> path, List<Member> members) {

    /** A committee member: its normalised weight and how it voted. */
    public record Member(int index, double weight, Explanation explanation) {
    }

    public Explanation {
        path = List.copyOf(path);
        members = List.copyOf(members);
    }
}
