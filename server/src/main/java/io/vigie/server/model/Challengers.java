package io.vigie.server.model;

import com.yahoo.labs.samoa.instances.Instance;
import io.vigie.learner.Learners;
import io.vigie.learner.Model;
import io.vigie.learner.ModelSpec;
import io.vigie.learner.Prediction;
import io.vigie.learner.Schema;
import io.vigie.server.store.Answer;
import io.vigie.server.store.ScoredEvent;

import java.io.Serializable;
import java.util.ArrayList;
import java.util.List;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * A model's challengers, in the order they were added. Owned by the model's writer thread, kept
 * in snapshots with it, and changed only by logged records, so replay rebuilds them exactly.
 */
final class Challengers implements Serializable {
    private static final Logger LOG = LoggerFactory.getLogger(Challengers.class);
    private static final long serialVersionUID = 1L;

    private final List<Challenger> all = new ArrayList<>();

    /** A challenger's answer to an event the champion scored. */
    record Scoring(Challenger challenger, Prediction prediction) {
        ScoredEvent.Shadow shadow() {
            return new ScoredEvent.Shadow(challenger.name(), Answer.of(prediction));
        }
    }

    List<Challenger> list() {
        return List.copyOf(all);
    }

    boolean isEmpty() {
        return all.isEmpty();
    }

    Challenger get(String name) {
        for (Challenger c : all) {
            if (c.name().equals(name)) {
                return c;
            }
        }
        return null;
    }

    /** The share of requests canaries answer together. */
    double canaryShare() {
        return all.stream().mapToDouble(Challenger::share).sum();
    }

    void add(String name, ModelSpec spec, Challenger.Mode mode, double share, Challenger.Promotion policy, long since, Schema schema,
             java.util.function.Function<io.vigie.learner.Learner, Model> modelOf) {
        all.add(new Challenger(name, spec, mode, share, policy, since, modelOf.apply(Learners.create(spec, schema)),
                schema.numClasses()));
    }

    /** The first challenger whose automatic promotion policy says it has won, or null. */
    Challenger winner() {
        for (Challenger c : all) {
            if (c.wonByPolicy()) {
                return c;
            }
        }
        return null;
    }

    Challenger remove(String name) {
        Challenger c = get(name);
        all.remove(c);
        return c;
    }

    /** The champion changed: every challenger is compared with the new one from now on. */
    void restartComparisons(int numClasses) {
        all.forEach(c -> c.restartComparison(numClasses));
    }

    /** Each challenger scores the event the champion scores. */
    List<Scoring> score(Instance event) {
        if (all.isEmpty()) {
            return List.of();
        }
        List<Scoring> scorings = new ArrayList<>(all.size());
        for (Challenger c : all) {
            scorings.add(new Scoring(c, c.model().predict(event)));
        }
        return scorings;
    }

    /**
     * The canary that answers an event id, or null for the champion: the id's bucket in [0, 1)
     * against the canaries' shares laid end to end, in the order they were added.
     */
    Challenger canary(String id) {
        double bucket = -1;
        double upTo = 0;
        for (Challenger c : all) {
            if (c.mode() != Challenger.Mode.CANARY) {
                continue;
            }
            if (bucket < 0) {
                bucket = Challenger.bucket(id);
            }
            upTo += c.share();
            if (bucket < upTo) {
                return c;
            }
        }
        return null;
    }

    boolean hasCanary() {
        return all.stream().anyMatch(c -> c.mode() == Challenger.Mode.CANARY);
    }

    /**
     * Each challenger learns what the champion learned. An event it scored is learned as it
     * answered then and compared with the champion's answer; one scored before it came (or a
     * labelled event never scored, {@code event} null) is scored now, then learned, and compared
     * only if the champion's answer was also given now ({@code scoredNow}).
     *
     * @return challengers that threw while learning (counted, skipped the same way at replay)
     */
    int learn(Instance labelled, ScoredEvent event, Prediction champion, int truth, boolean scoredNow) {
        int failures = 0;
        for (Challenger c : all) {
            try {
                Answer shadow = event == null ? null : event.shadow(c.name());
                if (shadow != null) {
                    Prediction given = shadow.prediction();
                    c.model().learn(labelled, given);
                    c.comparison().add(champion, given, truth);
                } else {
                    Prediction now = c.model().learnUnscored(labelled);
                    if (scoredNow) {
                        c.comparison().add(champion, now, truth);
                    }
                }
            } catch (RuntimeException e) {
                failures++;
                LOG.warn("challenger '{}' could not learn an event: {}", c.name(), e.toString());
            }
        }
        return failures;
    }
}
