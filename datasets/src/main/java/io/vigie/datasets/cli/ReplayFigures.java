package io.vigie.datasets.cli;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import io.vigie.learner.LabelledEvent;
import io.vigie.learner.Schema;
import io.vigie.learner.eval.BinaryRanking;
import io.vigie.learner.eval.CardPrecision;
import io.vigie.learner.eval.ClassificationMetrics;

/**
 * The figures {@code vigie eval --json} reports, computed from the service's answers as a replay
 * receives them (each answer set against its event's true class): with {@code --batch 1} the
 * service answers what the evaluation predicts, so the two print the same numbers.
 */
final class ReplayFigures {
    private final Schema schema;
    private final ClassificationMetrics metrics;
    private final BinaryRanking ranking;
    private CardPrecision cards;
    private long events;

    ReplayFigures(Schema schema) {
        this.schema = schema;
        this.metrics = new ClassificationMetrics(schema.numClasses());
        this.ranking = schema.numClasses() == 2 ? new BinaryRanking() : null;
    }

    /** One answer of the service to an event of the stream. */
    void add(JsonNode answer, LabelledEvent event) {
        int truth = (int) event.instance().classValue();
        metrics.add(schema.classIndexOf(answer.get("label").asText()), truth);
        events++;
        if (ranking == null) {
            return;
        }
        double score = answer.get("probabilities").get(schema.classes().get(1)).asDouble();
        ranking.add(score, truth == 1);
        if (event.entity() != LabelledEvent.NO_ENTITY && event.timeMillis() != LabelledEvent.NO_TIME) {
            if (cards == null) {
                cards = new CardPrecision(100);
            }
            cards.add(event.timeMillis(), event.entity(), score, truth == 1);
        }
    }

    /** The figures, into {@code o}, under eval's names. */
    ObjectNode json(ObjectNode o) {
        o.put("instances", events);
        o.put("accuracy", metrics.accuracy());
        o.put("kappa", metrics.kappa());
        if (ranking != null) {
            o.put("roc_auc", ranking.rocAuc());
            o.put("pr_auc", ranking.prAuc());
        }
        if (cards != null) {
            o.put("card_precision_at_100", cards.mean());
        }
        return o;
    }
}
