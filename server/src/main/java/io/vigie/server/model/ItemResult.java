package io.vigie.server.model;

import io.vigie.server.ApiProblem;

/** One item's outcome, with the model version that learned it (0 if it was not learned) and, if the log refused it, why. */
public record ItemResult(String id, Outcome outcome, long version, ApiProblem problem) {
    ItemResult(String id, Outcome outcome, long version) {
        this(id, outcome, version, null);
    }
}
