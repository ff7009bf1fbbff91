package io.vigie.learner;

import java.util.List;
import java.util.Map;

/**
 * A read-only picture of a learner's internals at one moment.
 *
 * @param learner         the MOA class name
 * @param learned         labelled instances learned
 * @param measurements    MOA's own model measurements (for trees: nodes, leaves, depth; for
 *                        adaptive trees also alternate trees grown, pruned and switched; for
 *                        ensembles their size and change detections)
 * @param members         the ensemble's members, empty for a single learner
 * @param resets          drift resets the learner made of its own members, oldest first
 * @param serializedBytes the size of the model when serialized, as a snapshot stores it
 */
public record ModelState(String learner, long learned, Map<String, Double> measurements, List<Member> members,
                         List<DriftReset> resets, long serializedBytes) {

    public ModelState {
        measurements = java.util.Collections.unmodifiableMap(new java.util.LinkedHashMap<>(measurements));
        members = List.copyOf(members);
        resets = List.copyOf(resets);
    }

    /**
     * One ensemble member.
     *
     * @param index        its position in the ensemble
     * @param learner      its MOA class name
     * @param measurements its own model measurements
     * @param drifts       drifts its detector signalled (that reset or replaced it), or -1 if
     *                     the ensemble does not count them per member
     * @param warnings     warnings its detector signalled, or -1 if not counted
     */
    public record Member(int index, String learner, Map<String, Double> measurements, long drifts, long warnings) {
        public Member {
            measurements = java.util.Collections.unmodifiableMap(new java.util.LinkedHashMap<>(measurements));
        }
    }
}
