package io.vigie.server.model;

import io.vigie.server.ApiProblem;
import io.vigie.server.store.ScoredEvent;

import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Set;
import java.util.function.Predicate;

/**
 * What scoring does with an id it already holds (scored, and not yet past the label TTL): an id
 * names one event, so a second scoring must be asked for.
 */
public enum KnownIds {
    /** The request is refused (409), nothing is scored: the HTTP default. */
    REFUSE,
    /** A pending event (not yet labelled) is scored again and replaces the stored one; a labelled one is refused (409). */
    REPLACE,
    /** Each stored event is answered as it was scored, not scored again: a stream redelivering a transaction. */
    ANSWER_STORED;

    /**
     * For each id, the stored event to answer with (null: score it), given what is stored for each
     * ({@code existing}, null where nothing is); an event past its label TTL is gone. A conflict
     * is a 409 for the whole batch, before anything is scored; so is an id given twice.
     */
    List<ScoredEvent> resolve(String model, List<String> ids, List<ScoredEvent> existing, Predicate<ScoredEvent> expired) {
        Set<String> seen = new HashSet<>();
        List<ScoredEvent> answerWith = new ArrayList<>(ids.size());
        for (int i = 0; i < ids.size(); i++) {
            ScoredEvent event = existing.get(i) != null && !expired.test(existing.get(i)) ? existing.get(i) : null;
            if (!seen.add(ids.get(i)) && this != ANSWER_STORED) {
                throw ApiProblem.conflict("id-twice", "the id '" + ApiProblem.quote(ids.get(i)) + "' is given twice in one batch");
            }
            if (event != null && (this == REFUSE || this == REPLACE && event.labelled())) {
                throw ApiProblem.conflict(event.labelled() ? "already-labelled" : "id-exists", "model '" + model
                        + "' already holds the event '" + ApiProblem.quote(ids.get(i)) + "', scored by version " + event.version()
                        + (event.labelled() ? " and labelled: an id names one event" : "; send ?replace=true to score it again"));
            }
            answerWith.add(this == ANSWER_STORED ? event : null);
        }
        return answerWith;
    }
}
