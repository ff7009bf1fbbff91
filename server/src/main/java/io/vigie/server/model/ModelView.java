package io.vigie.server.model;

import io.vigie.learner.AlertBudget;
import io.vigie.learner.DecisionRule;
import io.vigie.learner.DriftReset;
import io.vigie.learner.Ensemble;
import io.vigie.learner.KappaLine;
import io.vigie.learner.Model;
import io.vigie.learner.ModelState;
import io.vigie.learner.OperatingPoint;
import io.vigie.learner.monitor.InputDriftMonitor;
import io.vigie.server.store.PendingEvents;
import io.vigie.server.store.Versions;

import java.util.List;
import java.util.function.Supplier;

/**
 * A model's state as a reader on the writer thread sees it. Only valid inside
 * {@link ModelWriter#read}: it looks at live objects.
 */
public final class ModelView {
    private final ModelDefinition definition;
    private final Model model;
    private final ServingState serving;
    private final List<Challenger> challengers;
    private final Recovered recovered;
    private final long version;
    private final PendingEvents pending;
    private final Supplier<ModelState> state;
    private final Supplier<List<Versions.Version>> versions;

    ModelView(ModelDefinition definition, Model model, ServingState serving, List<Challenger> challengers, long version,
              Recovered recovered, PendingEvents pending, Supplier<ModelState> state, Supplier<List<Versions.Version>> versions) {
        this.definition = definition;
        this.model = model;
        this.serving = serving;
        this.challengers = challengers;
        this.recovered = recovered;
        this.version = version;
        this.pending = pending;
        this.state = state;
        this.versions = versions;
    }

    public ModelDefinition definition() {
        return definition;
    }

    public long version() {
        return version;
    }

    public long learned() {
        return model.learner().learned();
    }

    public long count(PendingEvents.Counter counter) {
        return pending.count(counter);
    }

    /** Labels implied because none came within the implicit-label period. */
    public long impliedLabels() {
        return serving.impliedLabels();
    }

    /** Labels that came after an implied one and contradicted it. */
    public long corrections() {
        return serving.corrections();
    }

    /** A day's card precision so far (NaN when the model ranks no entities, or the day is not kept). */
    public double cardPrecision(long dayStartMillis) {
        return serving.cardPrecision(dayStartMillis);
    }

    /** Scorings and alerts per day of event time, the latest days. */
    public List<AlertsByDay.Day> alertsByDay() {
        return serving.alerts().days();
    }

    /** The latest time of an event or label the model has seen (epoch millis; 0: none yet). */
    public long clock() {
        return serving.clock();
    }

    public ServingMetrics metrics() {
        return serving.metrics();
    }

    public Timeline timeline() {
        return serving.timeline();
    }

    /** The label-free drift monitor of the events scored. */
    public InputDriftMonitor inputs() {
        return serving.inputs();
    }

    /** How the model came back when the service started. */
    public Recovered recovered() {
        return recovered;
    }

    /** The challengers, in the order they were added. */
    public List<Challenger> challengers() {
        return challengers;
    }

    /** The champion's spec: the definition's, or a promoted challenger's. */
    public io.vigie.learner.ModelSpec spec() {
        return model.learner().spec();
    }

    /**
     * The learner's internals: members, sizes, drift counts. Measuring sizes serializes the model,
     * so while it learns this is refreshed at most every few seconds ({@link ModelWriter}).
     */
    public ModelState state() {
        return state.get();
    }

    /** The committee's member replacements after drift, oldest first; empty for single learners. */
    public List<DriftReset> resets() {
        return model.learner() instanceof Ensemble ensemble ? ensemble.resets() : List.of();
    }

    public List<Versions.Version> versions() {
        return versions.get();
    }

    /**
     * How the champion turns its probabilities into an answer now: by costs, by an alert budget, at
     * a committee's kappa line where a class is rare, or the most probable class; and the line of
     * positive-class probability from which it answers positive (NaN for the most probable class).
     */
    public record Decision(String rule, double line) {
        static Decision of(DecisionRule rule) {
            if (rule instanceof OperatingPoint costs) {
                return new Decision("costs", costs.threshold());
            }
            if (rule instanceof AlertBudget budget) {
                return new Decision("alert_budget", budget.line());
            }
            if (rule instanceof KappaLine kappa && kappa.decides()) {
                return new Decision("kappa_line", kappa.line());
            }
            return new Decision("most_probable_class", Double.NaN);
        }
    }

    public Decision decision() {
        return Decision.of(model.operatingPoint());
    }
}
