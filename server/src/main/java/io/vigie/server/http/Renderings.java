package io.vigie.server.http;

import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;
import io.vigie.learner.DriftReset;
import io.vigie.learner.ModelState;
import io.vigie.learner.Prediction;
import io.vigie.learner.Schema;
import io.vigie.learner.eval.ClassificationMetrics;
import io.vigie.server.model.ModelView;
import io.vigie.server.model.ModelWriter;
import io.vigie.server.model.ServingMetrics;
import io.vigie.server.store.PendingEvents;
import io.vigie.server.store.ScoredEvent;
import io.vigie.server.store.Versions;

import java.time.Instant;
import java.util.List;
import java.util.Map;

/** The JSON the API answers with, over HTTP and on Kafka topics. Numbers that are not finite (no labels yet) are null. */
public final class Renderings {
    private Renderings() {
    }

    public static JsonObject prediction(ModelWriter.Scored scored, Schema schema) {
        Prediction p = scored.prediction();
        return answer(new JsonObject().put("id", scored.id()), schema, p.label(), p.probabilities().probabilities(),
                p.predictionSet(), p.reason(), p.uncertainty().entropy(), p.uncertainty().margin(), p.uncertainty().disagreement())
                .put("version", scored.version());
    }

    private static JsonObject answer(JsonObject json, Schema schema, int label, double[] probabilities, List<Integer> set,
                                     Prediction.Reason reason, double entropy, double margin, double disagreement) {
        JsonObject probs = new JsonObject();
        for (int c = 0; c < schema.numClasses(); c++) {
            probs.put(schema.classes().get(c), c < probabilities.length ? number(probabilities[c]) : Double.valueOf(0));
        }
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

    /** A stored scoring, for the audit trail: features, answer, version and label once known. */
    static JsonObject stored(String id, ScoredEvent e, Schema schema) {
        Prediction.Reason reason = e.reason() < 0 ? null : Prediction.Reason.values()[e.reason()];
        JsonObject answer = answer(new JsonObject(), schema, e.predicted(), e.probabilities(),
                java.util.Arrays.stream(e.predictionSet()).boxed().toList(), reason, e.entropy(), e.margin(), e.disagreement());
        JsonObject features = new JsonObject();
        for (Map.Entry<String, Object> f : schema.namedValues(e.values()).entrySet()) {
            features.put(f.getKey(), f.getValue());
        }
        return new JsonObject()
                .put("id", id)
                .put("version", e.version())
                .put("scored_at", Instant.ofEpochMilli(e.scoredAt()).toString())
                .put("features", features)
                .put("prediction", answer)
                .put("label", e.labelled() ? schema.classes().get(e.label()) : null)
                .put("labelled_at", e.labelled() ? Instant.ofEpochMilli(e.labelledAt()).toString() : null);
    }

    static JsonObject summary(ModelView view) {
        return new JsonObject()
                .put("name", view.definition().name())
                .put("model", view.definition().spec().model())
                .put("version", view.version())
                .put("learned", view.learned())
                .put("pending", view.count(PendingEvents.Counter.PENDING));
    }

    static JsonObject model(ModelView view) {
        ServingMetrics m = view.metrics();
        ModelState state = view.state();
        JsonArray members = new JsonArray();
        for (ModelState.Member member : state.members()) {
            JsonObject measurements = new JsonObject();
            member.measurements().forEach((k, v) -> measurements.put(k, number(v)));
            members.add(new JsonObject()
                    .put("index", member.index())
                    .put("model", member.learner())
                    .put("weight", number(member.measurements().getOrDefault("weight", Double.NaN)))
                    .put("recent_accuracy", number(member.measurements().getOrDefault("recent accuracy", Double.NaN)))
                    .put("drift_signals", member.drifts())
                    .put("size_bytes", number(member.measurements().getOrDefault("serialized bytes", Double.NaN)))
                    .put("measurements", measurements));
        }
        JsonObject measurements = new JsonObject();
        state.measurements().forEach((k, v) -> measurements.put(k, number(v)));
        return summary(view)
                .put("definition", view.definition().toJson())
                .put("predictions", view.count(PendingEvents.Counter.PREDICTIONS))
                .put("labels", new JsonObject()
                        .put("learned", m.cumulative().count())
                        .put("unknown_id", view.count(PendingEvents.Counter.UNKNOWN))
                        .put("duplicate", view.count(PendingEvents.Counter.DUPLICATE))
                        .put("late", view.count(PendingEvents.Counter.LATE)))
                .put("metrics", new JsonObject()
                        .put("cumulative", metrics(m.cumulative(), m.allRates()))
                        .put("window", metrics(m.windowed(), m.recentRates()).put("size", ServingMetrics.WINDOW)))
                .put("learner", state.learner())
                .put("measurements", measurements)
                .put("members", members)
                .put("drift_resets", view.resets().size())
                .put("size_bytes", state.serializedBytes())
                .put("versions", view.versions().size());
    }

    private static JsonObject metrics(ClassificationMetrics c, ServingMetrics.Rates r) {
        return new JsonObject()
                .put("labelled", c.count())
                .put("accuracy", number(c.accuracy()))
                .put("kappa", number(c.kappa()))
                .put("kappa_temporal", number(c.kappaTemporal()))
                .put("coverage", number(r.coverage()))
                .put("mean_set_size", number(r.meanSetSize()))
                .put("abstention_rate", number(r.abstentionRate()))
                .put("selective_accuracy", number(r.selectiveAccuracy()));
    }

    static JsonObject drifts(ModelView view) {
        JsonArray resets = new JsonArray();
        for (DriftReset r : view.resets()) {
            resets.add(reset(r));
        }
        return new JsonObject().put("name", view.definition().name()).put("version", view.version()).put("events", resets);
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

    static JsonObject versions(String name, long current, List<Versions.Version> versions) {
        JsonArray list = new JsonArray();
        versions.forEach(v -> list.add(version(v)));
        return new JsonObject().put("name", name).put("current", current).put("versions", list);
    }

    static JsonObject version(Versions.Version v) {
        return new JsonObject()
                .put("version", v.version())
                .put("learned", v.learned())
                .put("created_at", Instant.ofEpochMilli(v.createdAtMillis()).toString())
                .put("bytes", v.bytes())
                .put("reason", v.reason());
    }

    static Object number(double value) {
        return Double.isFinite(value) ? value : null;
    }
}
