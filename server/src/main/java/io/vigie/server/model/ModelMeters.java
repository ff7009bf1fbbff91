package io.vigie.server.model;

import io.micrometer.core.instrument.Counter;
import io.micrometer.core.instrument.Gauge;
import io.micrometer.core.instrument.Meter;
import io.micrometer.core.instrument.MeterRegistry;
import io.micrometer.core.instrument.Timer;
import io.vigie.learner.Prediction;
import io.vigie.learner.monitor.ChannelResult;
import io.vigie.learner.monitor.InputDriftMonitor;
import io.vigie.learner.monitor.Severity;

import java.util.ArrayList;
import java.util.List;
import java.util.function.ToDoubleFunction;

/**
 * A model's Prometheus meters. Counters are bumped by the writer thread; gauges read the
 * figures it publishes after each batch, so a scrape never touches the model.
 */
final class ModelMeters implements ModelStateMachine.Listener {
    /** What the writer publishes for gauges; replaced whole, read without locks. */
    record Published(long version, long learned, long pending, double accuracy, double windowedAccuracy,
                     double kappa, double coverage, double windowedCoverage, double abstentionRate, long driftResets,
                     double windowedPrecision, double windowedRecall, double prAuc, double cardPrecision, double decisionLine,
                     Timeline.Estimated estimated, double estimateGap) {
        static final Published EMPTY = new Published(0, 0, 0, Double.NaN, Double.NaN, Double.NaN, Double.NaN, Double.NaN,
                Double.NaN, 0, Double.NaN, Double.NaN, Double.NaN, Double.NaN, Double.NaN, null, Double.NaN);

        /** One of the latest window of predictions' estimates, NaN before there is one. */
        double estimate(ToDoubleFunction<Timeline.Estimated> figure) {
            return estimated == null ? Double.NaN : figure.applyAsDouble(estimated);
        }
    }

    private final MeterRegistry registry;
    private final List<Meter> meters = new ArrayList<>();
    private final Counter predictions;
    private final Counter[] abstentions;
    private final Counter learned;
    private final Counter unknownLabels;
    private final Counter duplicateLabels;
    private final Counter lateLabels;
    private final Counter learnFailures;
    private final Counter impliedLabels;
    private final Counter alerts;
    /** The class an answer alerts with (binary models), or -1. */
    private final int alertClass;
    private final Counter corrections;
    final Timer logAppend;
    final Timer snapshot;
    private final Timer labelDelay;
    private final Counter inputWarnings;
    private final Counter inputAlerts;
    private final List<String> channels;
    private volatile Published published = Published.EMPTY;
    private volatile InputsChecked inputs;
    private final String model;
    private final java.util.Map<String, List<Meter>> challengerMeters = new java.util.HashMap<>();
    private volatile java.util.Map<String, ChallengerFigures> challengers = java.util.Map.of();

    /** A challenger's figures for gauges: labels learned, events compared with the champion, each side's accuracy on them. */
    record ChallengerFigures(long learned, long compared, double accuracy, double championAccuracy) {
    }

    /** The last input drift check, per channel in {@link #channels} order (NaN / NONE if not tested), for gauges. */
    private record InputsChecked(double[] effects, Severity[] severities, double meanEntropy, double abstentionShare) {
    }

    /**
     * How late labels come, from scoring to label: buckets from a minute to three months, where
     * fraud labels fall (chargebacks take weeks).
     */
    private static final java.time.Duration[] LABEL_DELAYS = java.util.stream.Stream.of("PT1M", "PT10M", "PT1H", "PT6H", "P1D",
            "P7D", "P30D", "P90D").map(java.time.Duration::parse).toArray(java.time.Duration[]::new);

    /**
     * {@code queueDepth} reads the requests waiting in the model's writer, out of {@code queueCapacity};
     * {@code targetCoverage} is the coverage the model's prediction sets aim for.
     */
    ModelMeters(MeterRegistry registry, String model, List<String> channels, java.util.function.IntSupplier queueDepth,
                int queueCapacity, double targetCoverage, int alertClass) {
        this.registry = registry;
        this.alertClass = alertClass;
        alerts = add(Counter.builder("vigie.alerts").description("Binary models: answers that named the positive class (alerts)")
                .tag("model", model).register(registry));
        this.model = model;
        this.channels = channels;
        double[] none = new double[channels.size()];
        java.util.Arrays.fill(none, Double.NaN);
        Severity[] untested = new Severity[channels.size()];
        java.util.Arrays.fill(untested, Severity.NONE);
        inputs = new InputsChecked(none, untested, Double.NaN, Double.NaN);
        predictions = add(Counter.builder("vigie.predictions").description("Events scored").tag("model", model).register(registry));
        Prediction.Reason[] reasons = Prediction.Reason.values();
        abstentions = new Counter[reasons.length];
        for (Prediction.Reason reason : reasons) {
            abstentions[reason.ordinal()] = add(Counter.builder("vigie.abstentions").description("Predictions that abstained, by rule")
                    .tag("model", model).tag("reason", reason.code()).register(registry));
        }
        learned = add(Counter.builder("vigie.events.learned").description("Labelled events learned").tag("model", model).register(registry));
        unknownLabels = labels(model, "unknown_id");
        duplicateLabels = labels(model, "duplicate");
        lateLabels = labels(model, "late");
        learnFailures = add(Counter.builder("vigie.learn.failures").description("Logged events the learner threw on")
                .tag("model", model).register(registry));
        impliedLabels = add(Counter.builder("vigie.labels.implied").description("Labels implied: none came within the implicit-label period")
                .tag("model", model).register(registry));
        corrections = add(Counter.builder("vigie.labels.corrections").description("Labels that contradicted an implied one, learned as corrections")
                .tag("model", model).register(registry));
        logAppend = add(Timer.builder("vigie.log.append").description("Group commits: write and fsync of a batch of log records")
                .tag("model", model).register(registry));
        snapshot = add(Timer.builder("vigie.snapshot").description("Snapshots: serialize, write and fsync")
                .tag("model", model).register(registry));
        labelDelay = add(Timer.builder("vigie.label.delay").description("From an event's scoring to its label's arrival")
                .tag("model", model).serviceLevelObjectives(LABEL_DELAYS).register(registry));
        // the Supplier form: a gauge holds its object weakly, and nothing else holds this one
        add(Gauge.builder("vigie.model.queue.depth", queueDepth::getAsInt)
                .description("Requests waiting in the model's writer (predictions and labels); at capacity a request gets 429")
                .tag("model", model).register(registry));
        add(Gauge.builder("vigie.model.queue.capacity", () -> queueCapacity).description("Requests the model's writer queues per lane")
                .tag("model", model).register(registry));
        add(Gauge.builder("vigie.coverage.target.ratio", () -> targetCoverage)
                .description("The coverage the model's prediction sets aim for (abstention.target_coverage)").tag("model", model)
                .register(registry));
        gauge("vigie.model.version", model, "Sequence number of the last log record the model applied", Published::version);
        gauge("vigie.pending.labels", model, "Scored events waiting for their label", Published::pending);
        gauge("vigie.accuracy.ratio", model, "Prequential accuracy of labelled predictions, whole stream", Published::accuracy);
        gauge("vigie.windowed.accuracy.ratio", model, "Prequential accuracy over the last 1000 labels", Published::windowedAccuracy);
        gauge("vigie.kappa", model, "Prequential kappa, whole stream", Published::kappa);
        gauge("vigie.coverage.ratio", model, "Share of prediction sets that held the true class, whole stream", Published::coverage);
        gauge("vigie.windowed.coverage.ratio", model, "Coverage over the last 1000 labels", Published::windowedCoverage);
        gauge("vigie.abstention.ratio", model, "Share of labelled predictions that abstained, whole stream", Published::abstentionRate);
        // a gauge, not a counter: a rollback takes the model, and its count, back
        gauge("vigie.windowed.precision.ratio", model, "Binary models: share of the last 1000 labelled alerts that were right "
                + "(the positive class at the operating point)", Published::windowedPrecision);
        gauge("vigie.windowed.recall.ratio", model, "Binary models: share of the positives among the last 1000 labels that were alerted",
                Published::windowedRecall);
        gauge("vigie.pr.auc.ratio", model, "Binary models: PR-AUC of the positive class over the latest complete timeline window "
                + "of 1000 labels", Published::prAuc);
        gauge("vigie.card.precision.ratio", model, "Models that rank an entity key: card precision at k of the latest complete day "
                + "(before the model's clock's day), as far as its frauds are known", Published::cardPrecision);
        gauge("vigie.drift.resets", model, "Committee members replaced after drift", Published::driftResets);
        gauge("vigie.decision.line", model, "Binary models: the positive-class probability from which the answer is the positive "
                + "class (costs, an alert budget, a committee's kappa line where a class is rare); NaN: the most probable class",
                Published::decisionLine);
        gauge("vigie.estimated.accuracy.ratio", model, "Accuracy the latest window of 1000 predictions is estimated to reach, "
                + "from each answer's chance of being right, before its labels come", p -> p.estimate(Timeline.Estimated::accuracy));
        gauge("vigie.estimated.precision.ratio", model, "Binary models: precision of the alerts of the latest window of 1000 "
                + "predictions, estimated before its labels", p -> p.estimate(Timeline.Estimated::precision));
        gauge("vigie.estimated.recall.ratio", model, "Binary models: recall of the latest window of 1000 predictions, estimated "
                + "before its labels", p -> p.estimate(Timeline.Estimated::recall));
        gauge("vigie.estimated.pr.auc.ratio", model, "Binary models: PR-AUC of the latest window of 1000 predictions, estimated "
                + "before its labels", p -> p.estimate(Timeline.Estimated::prAuc));
        gauge("vigie.estimate.gap", model, "1 when the latest timeline window of 1000 labels fell short of the accuracy estimated "
                + "for its answers beyond the estimate's band (a change of concept), 0 when not, NaN without an estimate",
                Published::estimateGap);
        inputWarnings = inputAlerts(model, Severity.WARNING);
        inputAlerts = inputAlerts(model, Severity.ALERT);
        for (int c = 0; c < channels.size(); c++) {
            int channel = c;
            add(Gauge.builder("vigie.input.drift.effect", this, m -> m.inputs.effects[channel])
                    .description("Last input drift check: KS D (numeric features) or PSI (categories, score and entropy deciles)")
                    .tag("model", model).tag("channel", channels.get(c)).register(registry));
            add(Gauge.builder("vigie.input.drift.severity", this, m -> m.inputs.severities[channel].ordinal())
                    .description("Last input drift check's tier: 0 none, 1 info, 2 warning, 3 alert")
                    .tag("model", model).tag("channel", channels.get(c)).register(registry));
        }
        add(Gauge.builder("vigie.recent.entropy.mean", this, m -> m.inputs.meanEntropy)
                .description("Mean normalised entropy of the last " + InputDriftMonitor.DEFAULT_WINDOW + " predictions")
                .tag("model", model).register(registry));
        add(Gauge.builder("vigie.recent.abstention.ratio", this, m -> m.inputs.abstentionShare)
                .description("Share of the last " + InputDriftMonitor.DEFAULT_WINDOW + " predictions that abstained (no label needed)")
                .tag("model", model).register(registry));
    }

    private Counter inputAlerts(String model, Severity severity) {
        return add(Counter.builder("vigie.input.drift.alerts").description("Input drift findings at warning tier or above")
                .tag("model", model).tag("severity", severity.code()).register(registry));
    }

    private Counter labels(String model, String outcome) {
        return add(Counter.builder("vigie.labels.rejected").description("Labels not learned, by reason")
                .tag("model", model).tag("outcome", outcome).register(registry));
    }

    private void gauge(String name, String model, String description, ToDoubleFunction<Published> value) {
        add(Gauge.builder(name, this, m -> value.applyAsDouble(m.published)).description(description).tag("model", model)
                .register(registry));
    }

    private <M extends Meter> M add(M meter) {
        meters.add(meter);
        return meter;
    }

    /**
     * Counts, per nominal feature, the categories its schema does not list that were scored as
     * missing values ({@code vigie_unknown_values_total{model,feature}}); the consumer takes the
     * feature's index.
     */
    java.util.function.IntConsumer unknownValues(io.vigie.learner.Schema schema) {
        Counter[] byFeature = new Counter[schema.features().size()];
        for (int f = 0; f < byFeature.length; f++) {
            if (schema.features().get(f).isNominal()) {
                byFeature[f] = add(Counter.builder("vigie.unknown.values")
                        .description("Categories the schema does not list, scored as missing values").tag("model", model)
                        .tag("feature", schema.features().get(f).name()).register(registry));
            }
        }
        return f -> byFeature[f].increment();
    }

    /** A label joined the event it belongs to, {@code millis} after that was scored. */
    void labelArrived(long millis) {
        labelDelay.record(Math.max(0, millis), java.util.concurrent.TimeUnit.MILLISECONDS);
    }

    void predicted(Prediction p) {
        predictions.increment();
        if (p.label() == alertClass) {
            alerts.increment();
        }
        if (p.reason() != null) {
            abstentions[p.reason().ordinal()].increment();
        }
    }

    @Override
    public void learned() {
        learned.increment();
    }

    @Override
    public void learnFailed() {
        learnFailures.increment();
    }

    @Override
    public void labelled(boolean implied, boolean correction) {
        if (implied) {
            impliedLabels.increment();
        } else if (correction) {
            corrections.increment();
        }
    }

    void rejected(Outcome outcome) {
        switch (outcome) {
            case UNKNOWN_ID -> unknownLabels.increment();
            case DUPLICATE -> duplicateLabels.increment();
            case LATE -> lateLabels.increment();
            default -> {
            }
        }
    }

    @Override
    public void inputsChecked(InputDriftMonitor.Check check) {
        double[] effects = new double[channels.size()];
        java.util.Arrays.fill(effects, Double.NaN);
        Severity[] severities = new Severity[channels.size()];
        java.util.Arrays.fill(severities, Severity.NONE);
        for (ChannelResult result : check.channels()) {
            int c = channels.indexOf(result.channel());
            effects[c] = result.effect();
            severities[c] = result.severity();
            if (result.severity() == Severity.WARNING) {
                inputWarnings.increment();
            } else if (result.severity() == Severity.ALERT) {
                inputAlerts.increment();
            }
        }
        inputs = new InputsChecked(effects, severities, check.meanEntropy(), check.abstentionShare());
    }

    /** The challengers now, by name: gauges for new ones, none left for those gone (removed or promoted). */
    void challengers(java.util.Map<String, ChallengerFigures> figures) {
        challengers = figures;
        for (String name : figures.keySet()) {
            if (!challengerMeters.containsKey(name)) {
                challengerMeters.put(name, List.of(
                        challengerGauge(name, "vigie.challenger.learned", "Labels the challenger learned", null, ChallengerFigures::learned),
                        challengerGauge(name, "vigie.challenger.compared", "Events both the champion and the challenger scored, labelled",
                                null, ChallengerFigures::compared),
                        challengerGauge(name, "vigie.challenger.accuracy.ratio", "Accuracy on the compared events", "challenger",
                                ChallengerFigures::accuracy),
                        challengerGauge(name, "vigie.challenger.accuracy.ratio", "Accuracy on the compared events", "champion",
                                ChallengerFigures::championAccuracy)));
            }
        }
        challengerMeters.entrySet().removeIf(entry -> {
            if (figures.containsKey(entry.getKey())) {
                return false;
            }
            entry.getValue().forEach(registry::remove);
            meters.removeAll(entry.getValue());
            return true;
        });
    }

    private Meter challengerGauge(String challenger, String name, String description, String side, ToDoubleFunction<ChallengerFigures> value) {
        Gauge.Builder<ModelMeters> builder = Gauge.builder(name, this, m -> {
            ChallengerFigures f = m.challengers.get(challenger);
            return f == null ? Double.NaN : value.applyAsDouble(f);
        }).description(description).tag("model", model).tag("challenger", challenger);
        if (side != null) {
            builder.tag("side", side);
        }
        return add(builder.register(registry));
    }

    void publish(Published figures) {
        published = figures;
    }

    Published published() {
        return published;
    }

    /** Removes the model's meters (it was deleted). */
    void remove() {
        meters.forEach(registry::remove);
    }
}
