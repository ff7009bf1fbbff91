package io.vigie.server.model;

import io.micrometer.core.instrument.Counter;
import io.micrometer.core.instrument.Gauge;
import io.micrometer.core.instrument.Meter;
import io.micrometer.core.instrument.MeterRegistry;
import io.micrometer.core.instrument.Timer;
import io.vigie.learner.Prediction;

import java.util.ArrayList;
import java.util.List;
import java.util.function.ToDoubleFunction;

/**
 * A model's Prometheus meters. Counters are bumped by the writer thread; gauges read the
 * figures it publishes after each batch, so a scrape never touches the model.
 */
final class ModelMeters {
    /** What the writer publishes for gauges; replaced whole, read without locks. */
    record Published(long version, long learned, long pending, double accuracy, double windowedAccuracy,
                     double kappa, double coverage, double windowedCoverage, double abstentionRate, long driftResets) {
        static final Published EMPTY = new Published(0, 0, 0, Double.NaN, Double.NaN, Double.NaN, Double.NaN, Double.NaN,
                Double.NaN, 0);
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
    final Timer logAppend;
    final Timer snapshot;
    private volatile Published published = Published.EMPTY;

    ModelMeters(MeterRegistry registry, String model) {
        this.registry = registry;
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
        logAppend = add(Timer.builder("vigie.log.append").description("Group commits: write and fsync of a batch of log records")
                .tag("model", model).register(registry));
        snapshot = add(Timer.builder("vigie.snapshot").description("Snapshots: serialize, write and fsync")
                .tag("model", model).register(registry));
        gauge("vigie.model.version", model, "Sequence number of the last log record the model applied", Published::version);
        gauge("vigie.pending.labels", model, "Scored events waiting for their label", Published::pending);
        gauge("vigie.accuracy", model, "Prequential accuracy of labelled predictions, whole stream", Published::accuracy);
        gauge("vigie.accuracy.windowed", model, "Prequential accuracy over the last 1000 labels", Published::windowedAccuracy);
        gauge("vigie.kappa", model, "Prequential kappa, whole stream", Published::kappa);
        gauge("vigie.coverage", model, "Share of prediction sets that held the true class, whole stream", Published::coverage);
        gauge("vigie.coverage.windowed", model, "Coverage over the last 1000 labels", Published::windowedCoverage);
        gauge("vigie.abstention.rate", model, "Share of labelled predictions that abstained", Published::abstentionRate);
        gauge("vigie.drift.resets", model, "Committee members replaced after drift", Published::driftResets);
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

    void predicted(Prediction p) {
        predictions.increment();
        if (p.reason() != null) {
            abstentions[p.reason().ordinal()].increment();
        }
    }

    void learned() {
        learned.increment();
    }

    void learnFailed() {
        learnFailures.increment();
    }

    void rejected(ModelWriter.Outcome outcome) {
        switch (outcome) {
            case UNKNOWN_ID -> unknownLabels.increment();
            case DUPLICATE -> duplicateLabels.increment();
            case LATE -> lateLabels.increment();
            default -> {
            }
        }
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
