package io.vigie.learner;

/**
 * A model read back from a snapshot file, with the provenance recorded beside it.
 *
 * @param model      the restored model (learner and calibration), ready to predict and learn
 * @param provenance what the file says about where the model came from
 * @param state      what the snapshot's owner stored beside the model, or null
 */
public record Snapshot(Model model, SnapshotProvenance provenance, Object state) {

    /** The learner inside the model. */
    public Learner learner() {
        return model.learner();
    }
}
