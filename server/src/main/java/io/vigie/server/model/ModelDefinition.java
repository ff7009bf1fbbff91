package io.vigie.server.model;

import io.vigie.learner.AbstentionSettings;
import io.vigie.learner.AlertBudget;
import io.vigie.learner.Learner;
import io.vigie.learner.Model;
import io.vigie.learner.OperatingPoint;
import io.vigie.learner.ModelSpec;
import io.vigie.learner.Schema;

import java.time.Duration;
import java.util.regex.Pattern;

/**
 * What a model is, as its creator asked for it: name, schema, model spec, abstention settings,
 * how long its events wait for a label, what a category its schema does not list means, and
 * the label an event gets when none came (or null), where a binary model raises an alert by
 * class costs (or null: the most probable class), the entity keys its events carry, and which of
 * them card precision ranks (or null).
 * Stored as {@code model.json} beside its log, in the same JSON the create request takes
 * ({@link io.vigie.server.wire.DefinitionJson}).
 */
public record ModelDefinition(String name, Schema schema, ModelSpec spec, AbstentionSettings abstention,
                              Duration labelTtl, long createdAtMillis, UnknownValues unknownValues, ImplicitLabel implicitLabel,
                              OperatingPoint operatingPoint, java.util.List<String> keys, CardPrecision cardPrecision,
                              Budget alertBudget, java.util.List<Aggregate> aggregates) {
    /** An alert line set by a daily budget of alerts ({@link io.vigie.learner.AlertBudget}) on class {@code positive}. */
    public record Budget(int positive, long perDay) {
    }

    public ModelDefinition {
        keys = java.util.List.copyOf(keys);
        aggregates = java.util.List.copyOf(aggregates);
    }

    /**
     * Card precision at k per day, as fraud teams measure a day's work: the k entities (cards,
     * customers) with the highest score that day, and the share of them that had a fraud.
     *
     * @param key the index of the entity key among {@link #keys}
     */
    public record CardPrecision(int key, int k) {
        /** The entity it ranks among an event's keys (in the model's order), or null when the event has none. */
        public String entityOf(java.util.List<String> keys) {
            return key < keys.size() ? keys.get(key) : null;
        }
    }

    /** The class a binary model's alerts name: its operating point's or budget's, else the second. */
    public int positiveClass() {
        return operatingPoint != null ? operatingPoint.positive() : alertBudget != null ? alertBudget.positive() : 1;
    }

    /** The class an answer alerts with: a binary model's positive class, or -1 (a model of more classes has no alerts). */
    public int alertClass() {
        return schema.numClasses() == 2 ? positiveClass() : -1;
    }

    /** A model of this definition around a learner: its abstention settings and alert line (costs, or a budget of its own). */
    public Model newModel(Learner learner) {
        return new Model(learner, abstention, operatingPoint != null ? operatingPoint
                : alertBudget != null ? new AlertBudget(alertBudget.positive(), alertBudget.perDay()) : null);
    }

    /**
     * The class an event is learned as when no label came for it within {@code after} of its time:
     * where only one class is ever reported (chargebacks), silence is a label too.
     */
    public record ImplicitLabel(int classIndex, Duration after) {
    }

    /** A nominal value the schema does not list: scored as a missing value (counted), or refused (422). */
    public enum UnknownValues {
        MISSING, REJECT;

        public String code() {
            return name().toLowerCase(java.util.Locale.ROOT);
        }
    }

    /** Model names go into file paths and URLs: keep them plain. */
    public static final Pattern NAME = Pattern.compile("[a-z0-9][a-z0-9._-]{0,63}");
    public static final Duration DEFAULT_LABEL_TTL = Duration.ofDays(30);
}
