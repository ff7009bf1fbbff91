package io.vigie.server.wire;

import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;
import io.vigie.learner.AbstentionSettings;
import io.vigie.learner.OperatingPoint;
import io.vigie.learner.Feature;
import io.vigie.learner.LearnerException;
import io.vigie.learner.ModelSpec;
import io.vigie.learner.Schema;
import io.vigie.server.ApiProblem;
import io.vigie.server.model.DefinitionFormat;
import io.vigie.server.model.ModelDefinition;

import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.time.format.DateTimeParseException;
import java.util.ArrayList;
import java.util.List;
import java.util.Set;

/**
 * A model definition as JSON: the create request's body, the {@code model.json} stored beside the
 * model's log, and the definition a published version carries to replicas.
 */
public final class DefinitionJson implements DefinitionFormat {
    /** The format of {@code model.json}: the create request's JSON, pretty-printed. */
    public static final DefinitionFormat FILE = new DefinitionJson();
    private static final String CLASS_NAME = "class";

    private DefinitionJson() {
    }

    @Override
    public byte[] encode(ModelDefinition definition) {
        return write(definition).encodePrettily().getBytes(StandardCharsets.UTF_8);
    }

    @Override
    public ModelDefinition decode(byte[] stored) {
        return read(JsonText.object(stored, "a model definition"), 0);
    }

    private static final Set<String> FIELDS = Set.of("name", "schema", "model", "seed", "abstention", "label_ttl", "created_at",
            "unknown_values", "implicit_label", "costs", "keys", "card_precision", "alert_budget", "aggregates");
    private static final Set<String> BUDGET_FIELDS = Set.of("per_day", "positive");
    private static final Set<String> COSTS_FIELDS = Set.of("missed", "false_alert", "positive");
    private static final Set<String> IMPLICIT_FIELDS = Set.of("class", "after");
    private static final Set<String> SCHEMA_FIELDS = Set.of("features", "classes");
    private static final Set<String> FEATURE_FIELDS = Set.of("name", "type", "values", "optional");
    private static final Set<String> ABSTENTION_FIELDS = Set.of("target_coverage", "gamma", "cost_error", "cost_abstain", "per_class");

    /**
     * Reads a create request (or a stored {@code model.json}).
     *
     * @throws ApiProblem 400 for a wrong shape, 422 for an invalid name, schema, model or setting
     */
    public static ModelDefinition read(JsonObject json, long nowMillis) {
        Fields.only(json, "the model definition", FIELDS);
        String name = Json.string(json, "name", true);
        if (!ModelDefinition.NAME.matcher(name).matches()) {
            throw ApiProblem.invalid("'name' must be 1 to 64 lower-case letters, digits, '.', '_' or '-', starting with a "
                    + "letter or digit; got '" + Json.quote(name) + "'");
        }
        JsonObject schemaJson = Json.object(json, "schema", true);
        Schema schema = schema(schemaJson);
        String model = json.containsKey("model") ? Json.string(json, "model", true) : "committee";
        long seed = json.containsKey("seed") ? Json.integer(json, "seed") : ModelSpec.DEFAULT_SEED;
        if (seed < Integer.MIN_VALUE || seed > Integer.MAX_VALUE) {
            throw ApiProblem.invalid("'seed' must fit in 32 bits, got " + seed);
        }
        AbstentionSettings abstention = abstention(json.containsKey("abstention") ? Json.object(json, "abstention", true)
                : new JsonObject(), schema);
        Duration ttl = ModelDefinition.DEFAULT_LABEL_TTL;
        if (json.containsKey("label_ttl")) {
            String text = Json.string(json, "label_ttl", true);
            try {
                ttl = Duration.parse(text);
            } catch (DateTimeParseException e) {
                throw ApiProblem.invalid("'label_ttl' must be an ISO-8601 duration such as P30D or PT12H, got '" + Json.quote(text) + "'");
            }
            if (ttl.isNegative() || ttl.isZero() || ttl.compareTo(Duration.ofDays(3650)) > 0) {
                throw ApiProblem.invalid("'label_ttl' must be positive and at most 10 years, got " + text);
            }
        }
        long createdAt = json.containsKey("created_at") ? Json.integer(json, "created_at") : nowMillis;
        ModelDefinition.UnknownValues unknownValues = ModelDefinition.UnknownValues.MISSING;
        if (json.containsKey("unknown_values")) {
            String text = Json.string(json, "unknown_values", true);
            unknownValues = java.util.Arrays.stream(ModelDefinition.UnknownValues.values()).filter(u -> u.code().equals(text))
                    .findFirst().orElseThrow(() -> ApiProblem.invalid("'unknown_values' must be \"missing\" (a category the schema "
                            + "does not list is scored as a missing value) or \"reject\" (422); got '" + Json.quote(text) + "'"));
        }
        ModelDefinition.ImplicitLabel implicit = json.containsKey("implicit_label")
                ? implicitLabel(Json.object(json, "implicit_label", true), schema, ttl) : null;
        OperatingPoint costs = json.containsKey("costs") ? costs(Json.object(json, "costs", true), schema) : null;
        ModelDefinition.Budget budget = json.containsKey("alert_budget") ? budget(Json.object(json, "alert_budget", true), schema) : null;
        if (costs != null && budget != null) {
            throw ApiProblem.invalid("'costs' and 'alert_budget' each set where the model alerts: give one");
        }
        EntityJson.Entities entities = EntityJson.read(json, schema);
        try {
            return new ModelDefinition(name, entities.schema(), new ModelSpec(model, (int) seed), abstention, ttl, createdAt,
                    unknownValues, implicit, costs, entities.keys(), entities.cardPrecision(), budget, entities.aggregates());
        } catch (LearnerException e) {
            throw ApiProblem.invalid(e.getMessage());
        }
    }

    /**
     * {@code {"class": C, "after": "P7D"}}: the period must end within the label TTL, or events
     * would be gone before it ends (and a correction could never come).
     */
    private static ModelDefinition.ImplicitLabel implicitLabel(JsonObject json, Schema schema, Duration ttl) {
        Fields.only(json, "'implicit_label'", IMPLICIT_FIELDS);
        String label = Json.string(json, "class", true);
        int classIndex = schema.classes().indexOf(label);
        if (classIndex < 0) {
            throw ApiProblem.invalid("'implicit_label.class' must be one of the schema's classes " + schema.classes() + ", got '"
                    + Json.quote(label) + "'");
        }
        String text = Json.string(json, "after", true);
        Duration after;
        try {
            after = Duration.parse(text);
        } catch (DateTimeParseException e) {
            throw ApiProblem.invalid("'implicit_label.after' must be an ISO-8601 duration such as P7D or PT12H, got '"
                    + Json.quote(text) + "'");
        }
        if (after.isNegative() || after.isZero() || after.compareTo(ttl) >= 0) {
            throw ApiProblem.invalid("'implicit_label.after' must be positive and shorter than 'label_ttl' (" + ttl
                    + "), so that a label that contradicts it can still come; got " + text);
        }
        return new ModelDefinition.ImplicitLabel(classIndex, after);
    }

    /**
     * {@code {"missed": 50, "false_alert": 1, "positive": "fraud"}}: a binary model alerts where an
     * alert is the cheaper error; {@code positive} defaults to the second class.
     */
    private static OperatingPoint costs(JsonObject json, Schema schema) {
        Fields.only(json, "'costs'", COSTS_FIELDS);
        if (schema.numClasses() != 2) {
            throw ApiProblem.invalid("'costs' sets the operating point of a binary model; the schema has " + schema.numClasses()
                    + " classes");
        }
        int positive = positive(json, schema, "'costs.positive'");
        double missed = Json.number(json, "missed");
        double falseAlert = Json.number(json, "false_alert");
        if (!(missed > 0 && falseAlert > 0 && missed < 1e12 && falseAlert < 1e12)) {
            throw ApiProblem.invalid("'costs.missed' and 'costs.false_alert' must be positive, got " + missed + " and " + falseAlert);
        }
        return new OperatingPoint(positive, missed, falseAlert);
    }

    /** {@code {"per_day": 200, "positive": "fraud"}}: a binary model alerts on its day's share of the highest scores. */
    private static ModelDefinition.Budget budget(JsonObject json, Schema schema) {
        Fields.only(json, "'alert_budget'", BUDGET_FIELDS);
        if (schema.numClasses() != 2) {
            throw ApiProblem.invalid("'alert_budget' sets the alert line of a binary model; the schema has " + schema.numClasses()
                    + " classes");
        }
        long perDay = Json.integer(json, "per_day");
        if (perDay < 1) {
            throw ApiProblem.invalid("'alert_budget.per_day' must be at least 1, got " + perDay);
        }
        return new ModelDefinition.Budget(positive(json, schema, "'alert_budget.positive'"), perDay);
    }

    /** The class an alert names: {@code positive} if given, else the second class. */
    private static int positive(JsonObject json, Schema schema, String what) {
        if (!json.containsKey("positive")) {
            return 1;
        }
        String name = Json.string(json, "positive", true);
        int positive = schema.classes().indexOf(name);
        if (positive < 0) {
            throw ApiProblem.invalid(what + " must be one of the schema's classes " + schema.classes() + ", got '" + Json.quote(name) + "'");
        }
        return positive;
    }

    private static Schema schema(JsonObject json) {
        Fields.only(json, "'schema'", SCHEMA_FIELDS);
        JsonArray featuresJson = Json.array(json, "features");
        List<Feature> features = new ArrayList<>();
        for (int i = 0; i < featuresJson.size(); i++) {
            if (!(featuresJson.getValue(i) instanceof JsonObject feature)) {
                throw ApiProblem.badRequest("'schema.features[" + i + "]' must be an object {\"name\", \"type\", \"values\"}");
            }
            Fields.only(feature, "'schema.features[" + i + "]'", FEATURE_FIELDS);
            String name = Json.string(feature, "name", true);
            String type = feature.containsKey("type") ? Json.string(feature, "type", true) : "numeric";
            Feature f = switch (type) {
                case "numeric" -> Feature.numeric(name);
                case "nominal" -> Feature.nominal(name, Json.strings(feature, "values"));
                default -> throw ApiProblem.invalid("'schema.features[" + i + "].type' must be \"numeric\" or \"nominal\", got '"
                        + type + "'");
            };
            if (feature.containsKey("optional") && Json.bool(feature, "optional")) {
                f = f.asOptional();
            }
            features.add(f);
        }
        List<String> classes = Json.strings(json, "classes");
        try {
            return Schema.of(features, CLASS_NAME, classes);
        } catch (LearnerException e) {
            throw ApiProblem.invalid("invalid schema: " + e.getMessage());
        }
    }

    /**
     * The abstention settings; {@code target_coverage} is a number (every class) or an object with
     * a target for each class of the schema (calibrated per class).
     */
    private static AbstentionSettings abstention(JsonObject json, Schema schema) {
        Fields.only(json, "'abstention'", ABSTENTION_FIELDS);
        AbstentionSettings d = AbstentionSettings.DEFAULTS;
        double gamma = json.containsKey("gamma") ? Json.number(json, "gamma") : d.gamma();
        double costError = json.containsKey("cost_error") ? Json.number(json, "cost_error") : d.costError();
        double costAbstain = json.containsKey("cost_abstain") ? Json.number(json, "cost_abstain") : d.costAbstain();
        try {
            if (json.getValue("target_coverage") instanceof JsonObject byClass) {
                return AbstentionSettings.perClassTargets(classTargets(byClass, schema), gamma, d.calibrationWindow(), costError,
                        costAbstain);
            }
            return new AbstentionSettings(json.containsKey("target_coverage") ? Json.number(json, "target_coverage") : d.targetCoverage(),
                    gamma, d.calibrationWindow(), costError, costAbstain, json.containsKey("per_class") && Json.bool(json, "per_class"));
        } catch (LearnerException e) {
            throw ApiProblem.invalid("invalid abstention settings: " + e.getMessage());
        }
    }

    private static Object targetCoverage(AbstentionSettings abstention, Schema schema) {
        double[] byClass = abstention.classCoverage();
        if (byClass == null) {
            return abstention.targetCoverage();
        }
        JsonObject targets = new JsonObject();
        for (int c = 0; c < byClass.length; c++) {
            targets.put(schema.classes().get(c), byClass[c]);
        }
        return targets;
    }

    /** {@code {"fraud": 0.8, "ok": 0.95}}: a target for each class of the schema, by class index. */
    private static double[] classTargets(JsonObject byClass, Schema schema) {
        Fields.only(byClass, "'abstention.target_coverage'", Set.copyOf(schema.classes()));
        double[] targets = new double[schema.numClasses()];
        for (int c = 0; c < targets.length; c++) {
            String name = schema.classes().get(c);
            if (!byClass.containsKey(name)) {
                throw ApiProblem.invalid("'abstention.target_coverage' gives a target per class: it has none for '" + name + "'");
            }
            targets[c] = Json.number(byClass, name);
        }
        return targets;
    }

    /** The definition as the create request would give it, plus its creation time. */
    public static JsonObject write(ModelDefinition definition) {
        AbstentionSettings abstention = definition.abstention();
        JsonObject json = new JsonObject()
                .put("name", definition.name())
                .put("schema", schema(definition.schema()))
                .put("model", definition.spec().model())
                .put("seed", definition.spec().seed())
                .put("abstention", new JsonObject()
                        .put("target_coverage", targetCoverage(abstention, definition.schema()))
                        .put("gamma", abstention.gamma())
                        .put("cost_error", abstention.costError())
                        .put("cost_abstain", abstention.costAbstain())
                        .put("per_class", abstention.perClass()))
                .put("label_ttl", definition.labelTtl().toString())
                .put("unknown_values", definition.unknownValues().code())
                .put("created_at", definition.createdAtMillis());
        OperatingPoint costs = definition.operatingPoint();
        if (costs != null) {
            json.put("costs", new JsonObject().put("missed", costs.missed()).put("false_alert", costs.falseAlert())
                    .put("positive", definition.schema().classes().get(costs.positive())));
        }
        if (definition.alertBudget() != null) {
            json.put("alert_budget", new JsonObject().put("per_day", definition.alertBudget().perDay())
                    .put("positive", definition.schema().classes().get(definition.alertBudget().positive())));
        }
        EntityJson.write(definition, json);
        ModelDefinition.ImplicitLabel implicit = definition.implicitLabel();
        if (implicit != null) {
            json.put("implicit_label", new JsonObject().put("class", definition.schema().classes().get(implicit.classIndex()))
                    .put("after", implicit.after().toString()));
        }
        return json;
    }

    /** A schema as the create request's {@code "schema"} takes it. */
    public static JsonObject schema(Schema schema) {
        JsonArray features = new JsonArray();
        for (Feature f : schema.features()) {
            JsonObject feature = new JsonObject().put("name", f.name()).put("type", f.isNominal() ? "nominal" : "numeric");
            if (f.isNominal()) {
                feature.put("values", new JsonArray(f.values()));
            }
            if (f.optional()) {
                feature.put("optional", true);
            }
            features.add(feature);
        }
        return new JsonObject().put("features", features).put("classes", new JsonArray(schema.classes()));
    }
}
