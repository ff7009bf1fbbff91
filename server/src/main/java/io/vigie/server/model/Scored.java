package io.vigie.server.model;

import io.vigie.learner.Explanation;
import io.vigie.learner.Prediction;

/**
 * A prediction, the version of the model that made it, why (only when asked, else null), and who
 * answered: null when the model has no canary, else {@link #CHAMPION} or the canary's name.
 */
public record Scored(String id, Prediction prediction, long version, Explanation explanation, String answeredBy) {
    /** Who answered when the champion did, in {@link #answeredBy}. */
    public static final String CHAMPION = "champion";

    public Scored(String id, Prediction prediction, long version) {
        this(id, prediction, version, null, null);
    }

    /** The same answer, with the reasons of the model that gave it. */
    Scored explained(Explanation why) {
        return new Scored(id, prediction, version, why, answeredBy);
    }
}
