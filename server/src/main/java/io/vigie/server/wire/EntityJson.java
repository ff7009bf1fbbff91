package io.vigie.server.wire;

import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;
import io.vigie.learner.Feature;
import io.vigie.learner.Schema;
import io.vigie.server.ApiProblem;
import io.vigie.server.model.Aggregate;
import io.vigie.server.model.ModelDefinition;

import java.time.Duration;
import java.time.format.DateTimeParseException;
import java.util.ArrayList;
import java.util.List;
import java.util.Set;

/**
 * The entities of a model definition: the keys its events carry ({@code "keys"}), the one whose
 * entities card precision ranks ({@code "card_precision"}), and the features the service computes
 * from each entity's events ({@code "aggregates"}), read and written as {@link DefinitionJson} does
 * the rest.
 */
final class EntityJson {
    private static final Set<String> AGGREGATE_FIELDS = Set.of("feature", "key", "function", "of", "window", "delay");
    private static final Set<String> CARD_PRECISION_FIELDS = Set.of("key", "k");

    /** What a definition says of its entities, and its schema with the computed features made optional. */
    record Entities(List<String> keys, ModelDefinition.CardPrecision cardPrecision, List<Aggregate> aggregates, Schema schema) {
    }

    private EntityJson() {
    }

    static Entities read(JsonObject json, Schema schema) {
        List<String> keys = json.containsKey("keys") ? keys(json) : List.of();
        ModelDefinition.CardPrecision cardPrecision = json.containsKey("card_precision")
                ? cardPrecision(Json.object(json, "card_precision", true), schema, keys) : null;
        List<Aggregate> aggregates = json.containsKey("aggregates") ? aggregates(json, schema, keys) : List.of();
        return new Entities(keys, cardPrecision, aggregates, computedOptional(schema, aggregates));
    }

    /** Adds what the definition says of its entities to its JSON. */
    static void write(ModelDefinition definition, JsonObject json) {
        if (!definition.keys().isEmpty()) {
            json.put("keys", new JsonArray(definition.keys()));
        }
        if (definition.cardPrecision() != null) {
            json.put("card_precision", new JsonObject().put("key", definition.keys().get(definition.cardPrecision().key()))
                    .put("k", definition.cardPrecision().k()));
        }
        if (!definition.aggregates().isEmpty()) {
            JsonArray aggregates = new JsonArray();
            for (Aggregate a : definition.aggregates()) {
                JsonObject entry = new JsonObject().put("feature", definition.schema().features().get(a.feature()).name())
                        .put("key", definition.keys().get(a.key())).put("function", a.function().code());
                if (a.of() >= 0) {
                    entry.put("of", definition.schema().features().get(a.of()).name());
                }
                entry.put("window", a.window().toString());
                if (!a.delay().isZero()) {
                    entry.put("delay", a.delay().toString());
                }
                aggregates.add(entry);
            }
            json.put("aggregates", aggregates);
        }
    }

    /** {@code ["customer", "terminal"]}: the entity keys events may carry, at most 8, each named once. */
    private static List<String> keys(JsonObject json) {
        List<String> keys = Json.strings(json, "keys");
        if (keys.size() > 8 || new java.util.HashSet<>(keys).size() != keys.size()) {
            throw ApiProblem.invalid("'keys' must name at most 8 entity keys, each once; got " + keys);
        }
        for (String key : keys) {
            if (!ModelDefinition.NAME.matcher(key).matches()) {
                throw ApiProblem.invalid("each of 'keys' must be 1 to 64 lower-case letters, digits, '.', '_' or '-'; got '"
                        + Json.quote(key) + "'");
            }
        }
        return keys;
    }

    /** {@code {"key": "customer", "k": 100}}: a binary model ranks the entities of that key per day. */
    private static ModelDefinition.CardPrecision cardPrecision(JsonObject json, Schema schema, List<String> keys) {
        Fields.only(json, "'card_precision'", CARD_PRECISION_FIELDS);
        if (schema.numClasses() != 2) {
            throw ApiProblem.invalid("'card_precision' ranks the entities of a binary model; the schema has " + schema.numClasses()
                    + " classes");
        }
        String key = Json.string(json, "key", true);
        if (!keys.contains(key)) {
            throw ApiProblem.invalid("'card_precision.key' must be one of 'keys' " + keys + ", got '" + Json.quote(key) + "'");
        }
        long k = json.containsKey("k") ? Json.integer(json, "k") : 100;
        if (k < 1 || k > 10_000) {
            throw ApiProblem.invalid("'card_precision.k' must be 1 to 10000, got " + k);
        }
        return new ModelDefinition.CardPrecision(keys.indexOf(key), (int) k);
    }

    /**
     * {@code [{"feature": "card_tx_7d", "key": "card", "function": "count", "window": "P7D"},
     * {"feature": "card_mean_amount_7d", "key": "card", "function": "mean", "of": "amount", "window": "P7D"}]}:
     * numeric features the service computes from the events of the same entity, each filled once.
     */
    private static List<Aggregate> aggregates(JsonObject json, Schema schema, List<String> keys) {
        JsonArray list = Json.array(json, "aggregates");
        List<Aggregate> aggregates = new ArrayList<>();
        java.util.Set<Integer> filled = new java.util.HashSet<>();
        for (int i = 0; i < list.size(); i++) {
            String at = "'aggregates[" + i + "]'";
            if (!(list.getValue(i) instanceof JsonObject a)) {
                throw ApiProblem.badRequest(at + " must be an object {\"feature\", \"key\", \"function\", \"window\"}");
            }
            Fields.only(a, at, AGGREGATE_FIELDS);
            int feature = numericFeature(schema, Json.string(a, "feature", true), at + ".feature");
            if (!filled.add(feature)) {
                throw ApiProblem.invalid(at + ".feature: '" + schema.features().get(feature).name() + "' is computed twice");
            }
            String key = Json.string(a, "key", true);
            if (!keys.contains(key)) {
                throw ApiProblem.invalid(at + ".key must be one of 'keys' " + keys + ", got '" + Json.quote(key) + "'");
            }
            String name = Json.string(a, "function", true);
            Aggregate.Function function = java.util.Arrays.stream(Aggregate.Function.values()).filter(f -> f.code().equals(name))
                    .findFirst().orElseThrow(() -> ApiProblem.invalid(at + ".function must be \"count\", \"mean\" or \"positive_rate\", got '"
                            + Json.quote(name) + "'"));
            int of = function == Aggregate.Function.MEAN ? numericFeature(schema, Json.string(a, "of", true), at + ".of") : -1;
            if (of < 0 && a.containsKey("of")) {
                throw ApiProblem.invalid(at + ".of is for \"mean\"");
            }
            if (function == Aggregate.Function.POSITIVE_RATE && schema.numClasses() != 2) {
                throw ApiProblem.invalid(at + ": a positive rate is the share of a binary model's positive class");
            }
            Duration window = duration(Json.string(a, "window", true), at + ".window");
            Duration delay = a.containsKey("delay") ? duration(Json.string(a, "delay", true), at + ".delay") : Duration.ZERO;
            aggregates.add(new Aggregate(feature, keys.indexOf(key), function, of, window, delay));
        }
        for (Aggregate a : aggregates) {
            if (a.of() >= 0 && filled.contains(a.of())) {
                throw ApiProblem.invalid("'" + schema.features().get(a.of()).name() + "' is computed: a mean is of a feature events send");
            }
        }
        return aggregates;
    }

    private static int numericFeature(Schema schema, String name, String what) {
        int index = schema.features().stream().map(Feature::name).toList().indexOf(name);
        if (index < 0 || schema.features().get(index).isNominal()) {
            throw ApiProblem.invalid(what + " must name a numeric feature of the schema, got '" + Json.quote(name) + "'");
        }
        return index;
    }

    private static Duration duration(String text, String what) {
        Duration d;
        try {
            d = Duration.parse(text);
        } catch (DateTimeParseException e) {
            throw ApiProblem.invalid(what + " must be an ISO-8601 duration such as P7D or PT12H, got '" + Json.quote(text) + "'");
        }
        if (d.isNegative() || d.isZero() || d.compareTo(Duration.ofDays(3650)) > 0) {
            throw ApiProblem.invalid(what + " must be positive and at most 10 years, got " + text);
        }
        return d;
    }

    /** Computed features are left out of events: the schema reads them as optional, and the service fills them. */
    private static Schema computedOptional(Schema schema, List<Aggregate> aggregates) {
        if (aggregates.isEmpty()) {
            return schema;
        }
        List<Feature> features = new ArrayList<>(schema.features());
        for (Aggregate a : aggregates) {
            features.set(a.feature(), features.get(a.feature()).asOptional());
        }
        return Schema.of(features, schema.className(), schema.classes());
    }

}
