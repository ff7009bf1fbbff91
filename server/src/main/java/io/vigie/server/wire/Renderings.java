package io.vigie.server.wire;

import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;
import io.vigie.learner.AbstentionSettings;
import io.vigie.learner.DriftReset;
import io.vigie.learner.Explanation;
import io.vigie.learner.ModelState;
import io.vigie.learner.Prediction;
import io.vigie.learner.Schema;
import io.vigie.learner.eval.ClassificationMetrics;
import io.vigie.learner.monitor.ChannelResult;
import io.vigie.learner.monitor.InputDriftMonitor;
import io.vigie.server.model.Challenger;
import io.vigie.server.model.Comparison;
import io.vigie.server.model.ModelDefinition;
import io.vigie.server.model.ModelView;
import io.vigie.server.model.Models;
import io.vigie.server.model.Recovered;
import io.vigie.server.model.ServingMetrics;
import io.vigie.server.model.Timeline;
import io.vigie.server.store.Answer;
import io.vigie.server.store.PendingEvents;
import io.vigie.server.store.ScoredEvent;
import io.vigie.server.store.Versions;

import java.time.Instant;
import java.util.Arrays;
import java.util.List;
import java.util.Map;
import io.vigie.server.model.Scored;

/** The JSON the API answers with, over HTTP and on Kafka topics. Numbers that are not finite (no labels yet) are null. */
public final class Renderings {
    private Renderings() {
    }

    public static JsonObject prediction(Scored scored, Schema schema) {
        Prediction p = scored.prediction();
        JsonObject json = answer(new JsonObject().put("id", scored.id()), schema, p.label(), p.probabilities().probabilities(),
                p.predictionSet(), p.reason(), p.uncertainty().entropy(), p.uncertainty().margin(), p.uncertainty().disagreement())
                .put("version", scored.version());
        if (scored.answeredBy() != null) {
            json.put("answered_by", scored.answeredBy());
        }
        return scored.explanation() == null ? json : json.put("explanation", explanation(scored.explanation(), schema));
    }

    /** A learner's reasons: its distribution, a tree's decision path, a committee's members with weights. */
    private static JsonObject explanation(Explanation e, Schema schema) {
        JsonObject json = new JsonObject().put("model", e.model())
                .put("label", schema.classes().get(e.probabilities().label()))
                .put("probabilities", probabilities(schema, e.probabilities().probabilities()));
        if (!e.path().isEmpty()) {
            json.put("path", new JsonArray(e.path()));
        }
        if (!e.members().isEmpty()) {
            JsonArray members = new JsonArray();
            for (Explanation.Member m : e.members()) {
                members.add(explanation(m.explanation(), schema).put("index", m.index()).put("weight", number(m.weight())));
            }
            json.put("members", members);
        }
        return json;
    }

    private static JsonObject probabilities(Schema schema, double[] probabilities) {
        JsonObject probs = new JsonObject();
        for (int c = 0; c < schema.numClasses(); c++) {
            probs.put(schema.classes().get(c), c < probabilities.length ? number(probabilities[c]) : Double.valueOf(0));
        }
        return probs;
    }

    private static JsonObject answer(JsonObject json, Schema schema, int label, double[] probabilities, List<Integer> set,
                                     Prediction.Reason reason, double entropy, double margin, double disagreement) {
        JsonObject probs = probabilities(schema, probabilities);
        JsonArray predictionSet = new JsonArray();
        set.forEach(c -> predictionSet.add(schema.classes().get(c)));
        return json.put("label", schema.classes().get(label))
                .put("probabilities", probs)
                .put("uncertainty", new JsonObject().put("entropy", number(entropy)).put("margin", number(margin))
                        .put("disagreement", number(disagreement)))
                .put("prediction_set", predictionSet)
                .put("abstain", reason != null)
                .put("reason", reason == null ? null : reason.code());
    }

    /** The features the service computed for an event it scored (its aggregates), by name; null where one was missing. */
    public static JsonObject computed(ModelDefinition definition, com.yahoo.labs.samoa.instances.Instance event) {
        JsonObject computed = new JsonObject();
        for (io.vigie.server.model.Aggregate a : definition.aggregates()) {
            int attribute = definition.schema().attributeOf(a.feature());
            computed.put(definition.schema().features().get(a.feature()).name(), event.isMissing(attribute) ? null : event.value(attribute));
        }
        return computed;
    }

    /** A stored scoring, for the audit trail: features, answer, version and label once known. */
    public static JsonObject stored(String id, ScoredEvent e, Schema schema, List<String> definitionKeys) {
        JsonObject features = new JsonObject();
        for (Map.Entry<String, Object> f : schema.namedValues(e.values()).entrySet()) {
            features.put(f.getKey(), f.getValue());
        }
        return new JsonObject()
                .put("id", id)
                .put("version", e.version())
                .put("scored_at", Instant.ofEpochMilli(e.scoredAt()).toString())
                .put("time", Instant.ofEpochMilli(e.eventTime()).toString())
                .put("features", features)
                .put("prediction", stored(e.answer(), schema))
                .put("answered_by", e.answeredBy() == null ? "champion" : e.answeredBy())
                .put("challengers", shadows(e, schema))
                .put("label", e.labelled() ? schema.classes().get(e.label()) : null)
                .put("labelled_at", e.labelled() ? Instant.ofEpochMilli(e.labelledAt()).toString() : null)
                .put("label_implied", e.implied())
                .put("keys", keys(e, definitionKeys));
    }

    private static JsonObject keys(ScoredEvent e, List<String> names) {
        JsonObject keys = new JsonObject();
        for (int i = 0; i < Math.min(names.size(), e.keys().size()); i++) {
            if (e.keys().get(i) != null) {
                keys.put(names.get(i), e.keys().get(i));
            }
        }
        return keys;
    }

    private static JsonObject stored(Answer a, Schema schema) {
        Prediction.Reason reason = a.reason() < 0 ? null : Prediction.Reason.values()[a.reason()];
        return answer(new JsonObject(), schema, a.predicted(), a.probabilities(), Answer.classes(a.predictionSet()),
                reason, a.entropy(), a.margin(), a.disagreement());
    }

    private static JsonObject shadows(ScoredEvent e, Schema schema) {
        JsonObject shadows = new JsonObject();
        e.shadows().forEach(s -> shadows.put(s.challenger(), stored(s.answer(), schema)));
        return shadows;
    }

    public static JsonObject summary(ModelView view) {
        return new JsonObject()
                .put("name", view.definition().name())
                .put("status", "serving")
                .put("model", view.spec().model())
                .put("version", view.version())
                .put("learned", view.learned())
                .put("pending", view.count(PendingEvents.Counter.PENDING));
    }

    /** A model that could not be opened: not served until it is repaired or deleted. */
    public static JsonObject failed(Models.Failed failed) {
        return new JsonObject().put("name", failed.name()).put("status", "failed").put("failure", failed.reason());
    }

    public static JsonObject model(ModelView view) {
        ServingMetrics m = view.metrics();
        ModelState state = view.state();
        JsonArray members = new JsonArray();
        for (ModelState.Member member : state.members()) {
            JsonObject measurements = new JsonObject();
            member.measurements().forEach((k, v) -> measurements.put(k, number(v)));
            members.add(new JsonObject()
                    .put("index", member.index())
                    .put("model", member.learner())
                    .put("weight", number(member.weight()))
                    .put("recent_accuracy", number(member.recentAccuracy()))
                    .put("age_events", member.age() < 0 ? null : member.age())
                    .put("drift_signals", member.drifts())
                    .put("size_bytes", member.serializedBytes() < 0 ? null : member.serializedBytes())
                    .put("measurements", measurements));
        }
        JsonObject measurements = new JsonObject();
        state.measurements().forEach((k, v) -> measurements.put(k, number(v)));
        return summary(view)
                .put("definition", DefinitionJson.write(view.definition()))
                .put("predictions", view.count(PendingEvents.Counter.PREDICTIONS))
                .put("labels", new JsonObject()
                        .put("learned", m.cumulative().count())
                        .put("unknown_id", view.count(PendingEvents.Counter.UNKNOWN))
                        .put("duplicate", view.count(PendingEvents.Counter.DUPLICATE))
                        .put("late", view.count(PendingEvents.Counter.LATE))
                        .put("implied", view.impliedLabels())
                        .put("corrected", view.corrections()))
                .put("clock", view.clock() == 0 ? null : instant(view.clock()))
                .put("days", days(view))
                .put("metrics", new JsonObject()
                        .put("cumulative", metrics(m.cumulative(), m.allRates(), view.definition()))
                        .put("window", metrics(m.windowed(), m.recentRates(), view.definition()).put("size", ServingMetrics.WINDOW)
                                .put("pr_auc", number(view.timeline().latestPrAuc()))
                                .put("estimate_gap", gap(view.timeline().latestGap())))
                        .put("estimated", estimated(view.timeline().latestEstimate())))
                .put("decision", new JsonObject().put("rule", view.decision().rule()).put("line", number(view.decision().line())))
                .put("learner", state.learner())
                .put("measurements", measurements)
                .put("members", members)
                .put("drift_resets", view.resets().size())
                .put("challengers", challengers(view))
                .put("recovery", recovery(view.recovered()))
                .put("size_bytes", state.serializedBytes())
                .put("versions", view.versions().size());
    }

    /** Events scored per day of event time, and for binary models the alerts among them (the latest 14 days). */
    private static JsonArray days(ModelView view) {
        boolean binary = view.definition().schema().numClasses() == 2;
        JsonArray days = new JsonArray();
        for (io.vigie.server.model.AlertsByDay.Day d : view.alertsByDay()) {
            days.add(new JsonObject().put("day", Instant.ofEpochMilli(d.startMillis()).toString().substring(0, 10))
                    .put("scored", d.scored()).put("alerts", binary ? d.alerts() : null)
                    .put("card_precision", number(view.cardPrecision(d.startMillis()))));
        }
        return days;
    }

    /** The figures of labelled predictions; for a binary model also precision and recall of its positive class (else null). */
    private static JsonObject metrics(ClassificationMetrics c, ServingMetrics.Rates r, ModelDefinition definition) {
        boolean binary = definition.schema().numClasses() == 2;
        return new JsonObject()
                .put("labelled", c.count())
                .put("precision", binary ? number(c.precision(definition.positiveClass())) : null)
                .put("recall", binary ? number(c.recall(definition.positiveClass())) : null)
                .put("accuracy", number(c.accuracy()))
                .put("kappa", number(c.kappa()))
                .put("kappa_temporal", number(c.kappaTemporal()))
                .put("coverage", number(r.coverage()))
                .put("mean_set_size", number(r.meanSetSize()))
                .put("abstention_rate", number(r.abstentionRate()))
                .put("selective_accuracy", number(r.selectiveAccuracy()));
    }

    /**
     * Drift as the model sees it: member resets (label-based) in {@code events}; the label-free
     * input monitor's warnings and alerts, and its latest checks channel by channel (the heatmap),
     * under {@code input}.
     */
    public static JsonObject drifts(ModelView view) {
        JsonArray resets = new JsonArray();
        for (DriftReset r : view.resets()) {
            resets.add(reset(r));
        }
        InputDriftMonitor monitor = view.inputs();
        List<String> channels = InputDriftMonitor.channelNames(view.definition().schema());
        JsonArray alerts = new JsonArray();
        monitor.alerts().forEach(a -> alerts.add(inputAlert(a)));
        JsonArray checks = new JsonArray();
        for (InputDriftMonitor.Check check : monitor.history()) {
            Object[] effects = new Object[channels.size()];
            Object[] tiers = new Object[channels.size()];
            for (ChannelResult r : check.channels()) {
                int c = channels.indexOf(r.channel());
                effects[c] = number(r.effect());
                tiers[c] = r.severity().code();
            }
            checks.add(new JsonObject().put("observed", check.observed()).put("at", instant(check.timeMillis()))
                    .put("worst", check.worst().code()).put("effects", new JsonArray(Arrays.asList(effects)))
                    .put("severities", new JsonArray(Arrays.asList(tiers))));
        }
        return new JsonObject().put("name", view.definition().name()).put("version", view.version()).put("events", resets)
                .put("input", new JsonObject()
                        .put("window", monitor.window())
                        .put("observed", monitor.observed())
                        .put("checks", monitor.checks())
                        .put("channels", new JsonArray(channels))
                        .put("alerts", alerts)
                        .put("history", checks));
    }

    /** An input drift finding at warning tier or above: which channel, by which test, how strong. */
    public static JsonObject inputAlert(InputDriftMonitor.Alert a) {
        ChannelResult r = a.result();
        return new JsonObject()
                .put("kind", "input_drift")
                .put("observed", a.observed())
                .put("at", instant(a.timeMillis()))
                .put("channel", r.channel())
                .put("severity", r.severity().code())
                .put("test", r.test())
                .put("statistic", number(r.statistic()))
                .put("p_value", number(r.pValue()))
                .put("effect", number(r.effect()))
                .put("wasserstein", number(r.wasserstein()))
                .put("reference_mean", number(r.referenceMean()))
                .put("recent_mean", number(r.recentMean()));
    }

    /**
     * Quality over time: a point per window of labels (with each member's accuracy), the
     * label-free uncertainty of each window of predictions, and markers (member resets, input
     * drift), all placed by events learned.
     */
    public static JsonObject timeline(ModelView view) {
        Timeline timeline = view.timeline();
        JsonArray points = new JsonArray();
        for (Timeline.Point p : timeline.points()) {
            JsonArray members = new JsonArray();
            p.memberAccuracy().forEach(a -> members.add(number(a)));
            points.add(new JsonObject().put("learned", p.learned()).put("at", instant(p.timeMillis())).put("labels", p.labels())
                    .put("accuracy", number(p.accuracy())).put("kappa", number(p.kappa())).put("pr_auc", number(p.prAuc()))
                    .put("precision", p.precision() == null ? null : number(p.precision()))
                    .put("recall", p.recall() == null ? null : number(p.recall()))
                    .put("coverage", number(p.coverage())).put("abstention_rate", number(p.abstentionRate()))
                    .put("estimated_accuracy", p.estimatedAccuracy() == null ? null : number(p.estimatedAccuracy()))
                    .put("estimate_band", p.band() == null ? null : number(p.band()))
                    .put("estimate_gap", p.gap())
                    .put("members", members));
        }
        JsonArray uncertainty = new JsonArray();
        for (Timeline.Uncertainty u : timeline.uncertainty()) {
            uncertainty.add(new JsonObject().put("learned", u.learned()).put("at", instant(u.timeMillis()))
                    .put("mean_entropy", number(u.meanEntropy())).put("abstention_share", number(u.abstentionShare()))
                    .put("estimated", estimated(u.estimated())));
        }
        JsonArray markers = new JsonArray();
        for (DriftReset r : view.resets()) {
            markers.add(new JsonObject().put("learned", r.at()).put("kind", "member_reset")
                    .put("detail", "member " + r.expert() + " (" + r.model() + ") by " + r.detector()));
        }
        for (Timeline.Marker m : timeline.markers()) {
            markers.add(marker(m));
        }
        JsonArray members = new JsonArray();
        view.state().members().forEach(m -> members.add(m.learner()));
        return new JsonObject().put("name", view.definition().name()).put("version", view.version())
                .put("window", Timeline.WINDOW).put("members", members)
                .put("points", points).put("uncertainty", uncertainty).put("markers", markers).put("days", days(view));
    }

    /** A timeline marker: where (events learned, and the time), what kind, and what it says. */
    public static JsonObject marker(Timeline.Marker m) {
        return new JsonObject().put("learned", m.learned()).put("at", instant(m.timeMillis())).put("kind", m.kind()).put("detail", m.detail());
    }

    /** Whether a window of labels fell short of its estimate, from the timeline's 1, 0 or NaN (no estimate: null). */
    private static Boolean gap(double gap) {
        return Double.isNaN(gap) ? null : gap == 1;
    }

    /** A window of predictions' estimated figures, or null when none could be estimated. */
    private static JsonObject estimated(Timeline.Estimated e) {
        return e == null ? null : new JsonObject().put("accuracy", number(e.accuracy())).put("precision", number(e.precision()))
                .put("recall", number(e.recall())).put("pr_auc", number(e.prAuc()));
    }

    private static String instant(long millis) {
        return Instant.ofEpochMilli(millis).toString();
    }

    /** A committee member replaced after drift: when (events learned), which member, what detected it, accuracy around it. */
    public static JsonObject reset(DriftReset r) {
        return new JsonObject()
                .put("kind", "member_reset")
                .put("at", r.at())
                .put("member", r.expert())
                .put("model", r.model())
                .put("detector", r.detector())
                .put("accuracy_before", number(r.accuracyBefore()))
                .put("accuracy_after", number(r.accuracyAfter()));
    }

    private static JsonObject recovery(Recovered r) {
        return new JsonObject().put("snapshot", r.snapshot()).put("unreadable_snapshots", new JsonArray(r.unreadableSnapshots()))
                .put("replayed", r.replayed()).put("torn_bytes", r.tornBytes()).put("millis", r.millis());
    }

    private static JsonArray challengers(ModelView view) {
        JsonArray list = new JsonArray();
        for (Challenger c : view.challengers()) {
            list.add(new JsonObject().put("name", c.name()).put("model", c.spec().model()).put("seed", c.spec().seed())
                    .put("mode", c.mode().code()).put("share", c.share()).put("since_version", c.since())
                    .put("auto_promote", !c.policy().automatic() ? null : new JsonObject().put("after_events", c.policy().afterEvents())
                            .put("p_value", c.policy().belowPValue()))
                    .put("learned", c.model().learner().learned()).put("compared", c.comparison().events()));
        }
        return list;
    }

    /**
     * The champion and each challenger on the events both scored and saw labelled: whole stream
     * and latest window, with McNemar's paired test.
     */
    public static JsonObject comparison(ModelView view) {
        JsonArray list = new JsonArray();
        for (Challenger c : view.challengers()) {
            Comparison k = c.comparison();
            list.add(new JsonObject()
                    .put("name", c.name()).put("model", c.spec().model()).put("mode", c.mode().code()).put("share", c.share())
                    .put("events", k.events())
                    .put("champion", side(k.champion(), k.prAuc(false), k.recentPrAuc(false), view.definition()))
                    .put("challenger", side(k.challenger(), k.prAuc(true), k.recentPrAuc(true), view.definition()))
                    .put("mcnemar", new JsonObject()
                            .put("champion_only_right", k.championOnlyRight())
                            .put("challenger_only_right", k.challengerOnlyRight())
                            .put("p_value", number(k.mcNemarPValue()))));
        }
        return new JsonObject().put("name", view.definition().name()).put("champion", view.spec().model())
                .put("version", view.version()).put("challengers", list);
    }

    private static JsonObject side(ServingMetrics m, double prAuc, double recentPrAuc, ModelDefinition definition) {
        AbstentionSettings costs = definition.abstention();
        return new JsonObject()
                .put("whole", metrics(m.cumulative(), m.allRates(), definition).put("pr_auc", number(prAuc))
                        .put("cost", number(cost(m.allRates(), costs))))
                .put("window", metrics(m.windowed(), m.recentRates(), definition).put("pr_auc", number(recentPrAuc))
                        .put("cost", number(cost(m.recentRates(), costs))).put("size", ServingMetrics.WINDOW));
    }

    /** Mean cost per event: an abstention costs cost_abstain, a wrong answer cost_error, a right one nothing. */
    private static double cost(ServingMetrics.Rates r, AbstentionSettings costs) {
        if (r.count() == 0) {
            return Double.NaN;
        }
        double abstained = r.abstentionRate();
        double answeredWrong = abstained >= 1 ? 0 : (1 - abstained) * (1 - r.selectiveAccuracy());
        return abstained * costs.costAbstain() + answeredWrong * costs.costError();
    }

    public static JsonObject versions(String name, long current, List<Versions.Version> versions) {
        JsonArray list = new JsonArray();
        versions.forEach(v -> list.add(version(v)));
        return new JsonObject().put("name", name).put("current", current).put("versions", list);
    }

    public static JsonObject version(Versions.Version v) {
        return new JsonObject()
                .put("version", v.version())
                .put("learned", v.learned())
                .put("created_at", Instant.ofEpochMilli(v.createdAtMillis()).toString())
                .put("bytes", v.bytes())
                .put("reason", v.reason());
    }

    public static Object number(double value) {
        return Double.isFinite(value) ? value : null;
    }
}
