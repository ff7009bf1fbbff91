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
    /** The report period [from, to) in event time, as eval's {@code --period}; from = to: none. */
    private final long periodFrom;
    private final long periodTo;
    private final BinaryRanking periodRanking = new BinaryRanking();
    private final CardPrecision periodCards = new CardPrecision(100);
    private long periodEvents;
    private long periodCorrect;

    ReplayFigures(Schema schema, long[] period) {
        this.schema = schema;
        this.metrics = new ClassificationMetrics(schema.numClasses());
        this.ranking = schema.numClasses() == 2 ? new BinaryRanking() : null;
        this.periodFrom = period == null ? 0 : period[0];
        this.periodTo = period == null ? 0 : period[1];
    }

    /** One answer of the service to an event of the stream. */
    void add(JsonNode answer, LabelledEvent event) {
        int truth = (int) event.instance().classValue();
        int predicted = schema.classIndexOf(answer.get("label").asText());
        metrics.add(predicted, truth);
        events++;
        if (ranking == null) {
            return;
        }
        double score = answer.get("probabilities").get(schema.classes().get(1)).asDouble();
        ranking.add(score, truth == 1);
        if (event.timeMillis() >= periodFrom && event.timeMillis() < periodTo) { // as eval scores a test week
            periodRanking.add(score, truth == 1);
            if (event.entity() != LabelledEvent.NO_ENTITY) {
                periodCards.add(event.timeMillis(), event.entity(), score, truth == 1);
            }
            periodEvents++;
            periodCorrect += predicted == truth ? 1 : 0;
        }
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
        if (periodTo > periodFrom && ranking != null) {
            o.putObject("period").put("events", periodEvents).put("accuracy", (double) periodCorrect / periodEvents)
                    .put("pr_auc", periodRanking.prAuc()).put("card_precision_at_100", periodCards.mean());
        }
        return o;
    }
}
