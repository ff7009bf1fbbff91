package io.vigie.learner;

/**
 * A learner read back from a snapshot file, with the provenance recorded beside it.
 *
 * @param learner    the restored learner, ready to predict and learn
 * @param provenance what the file says about where the model came from
 */
public record Snapshot(Learner learner, SnapshotProvenance provenance) {
}
