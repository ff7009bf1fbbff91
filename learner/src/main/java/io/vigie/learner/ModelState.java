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
     * @param index           its position in the ensemble
     * @param learner         its MOA class name (a committee's expert: its preset or model string)
     * @param measurements    its own model measurements, as MOA reports them
     * @param drifts          drifts its detector signalled (that reset or replaced it), or -1 if
     *                        the ensemble does not count them per member
     * @param warnings        warnings its detector signalled, or -1 if not counted
     * @param weight          its weight in the vote, NaN if the ensemble does not weight members
     * @param recentAccuracy  its accuracy over the recent window, NaN if not tracked
     * @param age             labelled events since it joined, -1 if not tracked
     * @param serializedBytes its size when serialized, -1 if not measured
     */
    public record Member(int index, String learner, Map<String, Double> measurements, long drifts, long warnings,
                         double weight, double recentAccuracy, long age, long serializedBytes) {
        public Member {
            measurements = java.util.Collections.unmodifiableMap(new java.util.LinkedHashMap<>(measurements));
        }

        /** A member of an MOA ensemble: MOA's measurements and drift counts only. */
        public Member(int index, String learner, Map<String, Double> measurements, long drifts, long warnings) {
            this(index, learner, measurements, drifts, warnings, Double.NaN, Double.NaN, -1, -1);
        }
    }
}
