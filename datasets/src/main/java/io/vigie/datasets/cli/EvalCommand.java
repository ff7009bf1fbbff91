package io.vigie.datasets.cli;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.vigie.datasets.Streams;
import io.vigie.learner.AbstentionSettings;
import io.vigie.learner.ConformalMethod;
import io.vigie.learner.LearnerException;
import io.vigie.learner.EventStream;
import io.vigie.learner.Learner;
import io.vigie.learner.LearningThreads;
import io.vigie.learner.Learners;
import io.vigie.learner.Model;
import io.vigie.learner.ModelSpec;
import io.vigie.learner.AlertBudget;
import io.vigie.learner.DecisionRule;
import io.vigie.learner.OperatingPoint;
import io.vigie.learner.Snapshot;
import io.vigie.learner.Snapshots;
import io.vigie.learner.eval.EvaluationReport;
import io.vigie.learner.eval.LabelDelay;
import io.vigie.learner.eval.LearnerResult;
import io.vigie.learner.eval.PrequentialEvaluation;

import java.io.PrintStream;
import java.nio.file.Path;
import java.time.Clock;
import java.time.Duration;
import java.time.LocalDate;
import java.time.ZoneOffset;
import java.time.format.DateTimeParseException;
import java.util.Arrays;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Set;
import java.util.stream.Collectors;

/**
 * {@code vigie eval}: prequential (test-then-train) evaluation of a model on a stream, with label
 * delay, next to the no-change and majority baselines run on the same events.
 */
final class EvalCommand {
    static final String USAGE = """
            vigie eval --data FILE|generator:SPEC [--model PRESET|"MOA CLI"] [--delay K|Nd] [--limit N] [--window W] [--seed S] [--json]
              --data FILE          .arff or .csv, optionally .gz; or generator:<MOA stream spec> (needs --limit)
              --class COL          the class column (default: the last one)
              --time COL           CSV column of event times (ISO-8601), needed for delays in time
              --drop A,B           CSV columns to leave out of the features
              --model M            preset (%s) or MOA classifier CLI string (default: %s)
              --seed S             random seed of the model (default: %d)
              --threads N          threads a committee's members learn on, side by side (default: 1); the
                                   model is the same bit for bit whatever N is
              --delay D            label delay: K events, or a time span 7d, 12h, 30m, 45s (default: 0)
              --limit N            evaluate the first N events only
              --window W           window of the windowed metrics, in events (default: 1000)
              --positive CLASS     class scored by ROC-AUC and PR-AUC on binary streams (default: the second class)
              --costs M:F          binary streams: alert (predict the positive class) wherever its probability is at least
                                   F / (M + F), with M the cost of a missed positive and F of a false alert (50:1)
              --alert-budget N     binary streams in time: alert on the day's share N / (events a day) of the highest
                                   recent scores (as a model's "alert_budget" does); instead of --costs
              --target-coverage C  coverage the conformal prediction sets aim at (default: 0.9)
              --per-class          calibrate the prediction sets per class (cover each class at the target; for fraud)
              --conformal M        how the sets' level follows the labels: aci (a fixed step, damped to the delay;
                                   the default), decaying (a step decaying as t^-0.6) or dtaci (experts of eight steps)
              --from SNAPSHOT      start from a saved model instead of a fresh one
              --save SNAPSHOT      save the model after the run
              --features fraud     read the Fraud-Detection Handbook stream with its online features (terminal
                                   fraud rates use labels older than the delay, if in time, else 7d)
              --implicit C@SPAN    labels of class C are never delivered: an event is learned as C once SPAN (events,
                                   or 7d, 12h...) has passed without its label; the other labels come at --delay,
                                   and one that comes after the span is learned again as a correction (as the
                                   service's "implicit_label" does)
              --period FROM,TO     also report accuracy, PR-AUC and card precision over days FROM..TO (ISO dates, inclusive)
              --json               print one JSON object as the last line of stdout
            """.formatted(ModelSpec.presetNames(), EvalCommand.DEFAULT_MODEL, ModelSpec.DEFAULT_SEED);

    static final String DEFAULT_MODEL = "committee";
    private static final List<String> VALUED = List.of("data", "class", "time", "drop", "model", "seed", "delay", "limit",
            "window", "positive", "from", "save", "target-coverage", "features", "period", "implicit", "costs", "alert-budget",
            "threads", "conformal");
    private static final List<String> FLAGS = List.of("json", "per-class");

    private final PrintStream out;
    private final PrintStream err;

    EvalCommand(PrintStream out, PrintStream err) {
        this.out = out;
        this.err = err;
    }

    int run(String[] argv) {
        Args args = new Args(argv, VALUED, FLAGS);
        String data = args.require("data");
        LabelDelay delay = LabelDelay.parse(args.get("delay", "0"));
        long limit = args.getLong("limit", -1);
        long window = args.getLong("window", 1000);
        if (window <= 0 || window > Integer.MAX_VALUE) {
            throw new Args.UsageException("--window must be a positive number of events");
        }
        long threads = args.getLong("threads", 1);
        if (threads < 1 || threads > 256) {
            throw new Args.UsageException("--threads must be between 1 and 256");
        }
        LearningThreads.use((int) threads);
        Set<String> drop = Arrays.stream(args.get("drop", "").split(",")).map(String::strip)
                .filter(s -> !s.isEmpty()).collect(Collectors.toSet());
        if (args.get("from", null) != null && (args.get("model", null) != null || args.get("seed", null) != null)) {
            throw new Args.UsageException("--from restores a model with its own spec; leave out --model and --seed");
        }
        try (EventStream opened = open(args, data, delay, drop, limit)) {
            EventStream stream = opened;
            Learner model;
            if (args.get("from", null) != null) {
                Snapshot snapshot = Snapshots.read(Path.of(args.get("from", null)));
                model = snapshot.learner();
                stream = Streams.mapTo(opened, model.schema());
            } else {
                long seed = args.getLong("seed", ModelSpec.DEFAULT_SEED);
                if (seed < Integer.MIN_VALUE || seed > Integer.MAX_VALUE) {
                    throw new Args.UsageException("--seed must fit in 32 bits");
                }
                model = Learners.create(new ModelSpec(args.get("model", DEFAULT_MODEL), (int) seed), opened.schema());
            }
            int positive = args.get("positive", null) == null ? 1 : stream.schema().classIndexOf(args.get("positive", null));
            AbstentionSettings settings = AbstentionSettings.DEFAULTS.withTargetCoverage(
                    args.getDouble("target-coverage", AbstentionSettings.DEFAULTS.targetCoverage())).withPerClass(args.flag("per-class"))
                    .withMethod(conformalMethod(args.get("conformal", AbstentionSettings.DEFAULTS.method().wireName())));
            OperatingPoint costs = costs(args.get("costs", null), positive);
            long budget = args.getLong("alert-budget", 0);
            if (budget < 0 || budget > 0 && costs != null) {
                throw new Args.UsageException("--alert-budget is a positive number of alerts a day, instead of --costs");
            }
            java.util.function.Supplier<DecisionRule> line = () -> budget > 0 ? new AlertBudget(positive, budget) : costs;
            // the baselines are references: scored on their decisions, without sets of their own
            List<Model> baselines = List.of(new Model(Learners.create(ModelSpec.of("nochange"), stream.schema()), settings, line.get()),
                    new Model(Learners.create(ModelSpec.of("majority"), stream.schema()), settings, line.get()));
            boolean showProgress = Boolean.getBoolean("vigie.progress");
            PrequentialEvaluation evaluation = new PrequentialEvaluation(delay, (int) window, positive,
                    showProgress ? new ProgressBar(err) : PrequentialEvaluation.Progress.NONE, System::nanoTime)
                    .references(List.of("no-change", "majority"), baselines);
            if (args.get("period", null) != null) {
                long[] period = period(args.get("period", null));
                evaluation.reportPeriod(period[0], period[1]);
            }
            if (args.get("implicit", null) != null) {
                String text = args.get("implicit", null);
                int at = text.lastIndexOf('@');
                if (at <= 0) {
                    throw new Args.UsageException("--implicit must be CLASS@SPAN, e.g. genuine@7d or 0@1000");
                }
                evaluation.implicitLabels(stream.schema().classIndexOf(text.substring(0, at)), LabelDelay.parse(text.substring(at + 1)));
            }
            List<Model> models = List.of(new Model(model, settings, line.get()));
            EvaluationReport report = evaluation.run(stream, List.of(model.spec().displayName()), models);
            if (args.get("save", null) != null) {
                Snapshots.write(Path.of(args.get("save", null)), model,
                        Map.of("data", report.stream(), "events", Long.toString(report.events()),
                                "delay", delay.toString(), "accuracy", Double.toString(report.learners().get(0).cumulative().accuracy())),
                        Clock.systemUTC());
            }
            if (args.flag("json")) {
                out.println(json(report, models, stream));
            } else {
                printTable(report, stream);
            }
        }
        return 0;
    }

    private static EventStream open(Args args, String data, LabelDelay delay, Set<String> drop, long limit) {
        String features = args.get("features", null);
        if (features == null) {
            return Streams.open(data, args.get("class", null), args.get("time", null), drop, limit);
        }
        if (!features.equals("fraud")) {
            throw new Args.UsageException("unknown --features '" + features + "', valid: fraud");
        }
        if (args.get("class", null) != null || args.get("time", null) != null || !drop.isEmpty()) {
            throw new Args.UsageException("--features fraud fixes the class, time and features; leave out --class, --time, --drop");
        }
        Duration feedback = delay instanceof LabelDelay.Time time ? time.span() : Duration.ofDays(7);
        return Streams.fraud(data, feedback, limit);
    }

    /** Reads "MISSED:FALSE_ALERT" as the operating point of the positive class, or null. */
    private static ConformalMethod conformalMethod(String name) {
        try {
            return ConformalMethod.named(name);
        } catch (LearnerException e) {
            throw new Args.UsageException("--conformal: " + e.getMessage());
        }
    }

    private static OperatingPoint costs(String text, int positive) {
        if (text == null) {
            return null;
        }
        String[] parts = text.split(":");
        try {
            if (parts.length == 2) {
                return new OperatingPoint(positive, Double.parseDouble(parts[0]), Double.parseDouble(parts[1]));
            }
        } catch (NumberFormatException e) {
            // fall through to the usage error
        }
        throw new Args.UsageException("--costs must be MISSED:FALSE_ALERT, two positive numbers, e.g. 50:1");
    }

    /** Reads "2018-08-08,2018-08-14" as [start of the first day, start of the day after the last) in UTC. */
    static long[] period(String text) {
        String[] days = text.split(",");
        try {
            if (days.length == 2) {
                long from = LocalDate.parse(days[0].strip()).atStartOfDay(ZoneOffset.UTC).toInstant().toEpochMilli();
                long to = LocalDate.parse(days[1].strip()).plusDays(1).atStartOfDay(ZoneOffset.UTC).toInstant().toEpochMilli();
                if (from < to) {
                    return new long[]{from, to};
                }
            }
        } catch (DateTimeParseException e) {
            // fall through to the usage error
        }
        throw new Args.UsageException("--period must be FROM,TO as ISO dates, FROM not after TO, e.g. 2018-08-08,2018-08-14");
    }

    private String json(EvaluationReport report, List<Model> models, EventStream stream) {
        Learner model = models.get(0).learner();
        LearnerResult result = report.learners().get(0);
        Map<String, Object> o = new LinkedHashMap<>();
        o.put("model", model.spec().displayName());
        o.put("spec", Learners.canonicalCli(model.spec()));
        o.put("seed", model.spec().seed());
        o.put("data", report.stream());
        o.put("classes", stream.schema().classes());
        o.put("instances", report.events());
        o.put("delay", report.delay().toString());
        o.put("window", report.window());
        o.put("learned", model.learned());
        o.put("correct", result.cumulative().correct());
        o.put("accuracy", number(result.cumulative().accuracy()));
        o.put("kappa", number(result.cumulative().kappa()));
        o.put("kappa_temporal", number(result.cumulative().kappaTemporal()));
        o.put("kappa_m", number(result.cumulative().kappaM()));
        Map<String, Object> windowed = new LinkedHashMap<>();
        windowed.put("accuracy", number(result.windowed().accuracy()));
        windowed.put("kappa", number(result.windowed().kappa()));
        windowed.put("kappa_temporal", number(result.windowed().kappaTemporal()));
        windowed.put("kappa_m", number(result.windowed().kappaM()));
        o.put("windowed", windowed);
        o.put("nonfinite_votes", result.irregularVotes());
        o.put("no_opinion", result.noOpinion());
        o.put("positive_class", stream.schema().classes().get(report.positive()));
        o.put("precision", number(result.cumulative().precision()));
        o.put("recall", number(result.cumulative().recall()));
        if (models.get(0).operatingPoint() instanceof OperatingPoint costs) {
            o.put("alert_threshold", costs.threshold());
            o.put("cost_per_event", number(result.cumulative().costPerEvent(costs.missed(), costs.falseAlert())));
        }
        if (models.get(0).operatingPoint() instanceof AlertBudget budget) {
            o.put("alert_budget", budget.perDay());
        }
        o.put("alerts_per_day", number(result.alertsPerDay()));
        o.put("roc_auc", number(result.rocAuc()));
        o.put("pr_auc", number(result.prAuc()));
        o.put("target_coverage", models.get(0).settings().targetCoverage());
        o.put("per_class_calibration", models.get(0).settings().perClass());
        o.put("conformal_method", models.get(0).settings().method().wireName());
        o.put("coverage", number(result.trust().coverage()));
        o.put("mean_set_size", number(result.trust().meanSetSize()));
        o.put("abstention_rate", number(result.trust().abstentionRate()));
        o.put("selective_accuracy", number(result.trust().selectiveAccuracy()));
        o.put("drift_resets", result.driftResets());
        putEstimates(o, result.estimates());
        o.put("card_precision_at_100", number(result.cardPrecision()));
        if (result.period() != null) {
            Map<String, Object> period = new LinkedHashMap<>();
            period.put("events", result.period().events());
            period.put("accuracy", number(result.period().accuracy()));
            period.put("pr_auc", number(result.period().prAuc()));
            period.put("card_precision_at_100", number(result.period().cardPrecision()));
            o.put("period", period);
        }
        if (report.implicit() != null) {
            Map<String, Object> implicit = new LinkedHashMap<>();
            implicit.put("class", stream.schema().classes().get(report.implicit().classIndex()));
            implicit.put("after", report.implicit().after().toString());
            implicit.put("implied", report.implicit().implied());
            implicit.put("corrections", report.implicit().corrections());
            o.put("implicit", implicit);
        }
        Map<String, Object> baselines = new LinkedHashMap<>();
        baselines.put("no_change", number(report.learners().get(1).cumulative().accuracy()));
        baselines.put("majority", number(report.learners().get(2).cumulative().accuracy()));
        o.put("baselines", baselines);
        o.put("seconds", number(report.seconds()));
        o.put("instances_per_second", number(report.eventsPerSecond()));
        try {
            return new ObjectMapper().writeValueAsString(o);
        } catch (JsonProcessingException e) {
            throw new IllegalStateException("a map of numbers and strings always serializes", e);
        }
    }

    /** The figures estimated before the labels came, beside the realised ones: overall and by window of predictions. */
    private static void putEstimates(Map<String, Object> o, LearnerResult.Estimates estimates) {
        o.put("estimated_accuracy", number(estimates.accuracy()));
        o.put("estimated_accuracy_realised", number(estimates.realisedAccuracy()));
        o.put("estimated_accuracy_mean_absolute_error", number(estimates.meanAbsoluteError()));
        o.put("estimate_gaps", estimates.gaps());
        List<Map<String, Object>> windows = new ArrayList<>();
        for (LearnerResult.Estimate w : estimates.windows()) {
            Map<String, Object> window = new LinkedHashMap<>();
            window.put("end", w.end());
            window.put("estimated_accuracy", number(w.accuracy()));
            window.put("accuracy", number(w.realisedAccuracy()));
            window.put("band", number(w.band()));
            window.put("gap", w.gap());
            if (!Double.isNaN(w.realisedPrAuc())) {
                window.put("estimated_precision", number(w.precision()));
                window.put("precision", number(w.realisedPrecision()));
                window.put("estimated_recall", number(w.recall()));
                window.put("recall", number(w.realisedRecall()));
                window.put("estimated_pr_auc", number(w.prAuc()));
                window.put("pr_auc", number(w.realisedPrAuc()));
            }
            windows.add(window);
        }
        o.put("estimates_by_window", windows);
    }

    /** JSON has no NaN: an undefined metric is null. */
    private static Object number(double value) {
        return Double.isFinite(value) ? value : null;
    }

    private void printTable(EvaluationReport report, EventStream stream) {
        out.printf(Locale.ROOT, "%s: %,d events, label delay %s, window %d, classes %s%n", report.stream(), report.events(),
                report.delay(), report.window(), stream.schema().classes());
        out.printf(Locale.ROOT, "%-24s %9s %8s %8s %8s %10s %8s %8s %9s %9s %9s%n", "learner", "accuracy", "kappa", "kappa-T",
                "kappa-M", "window-acc", "roc-auc", "pr-auc", "coverage", "abstains", "sel.acc");
        for (LearnerResult r : report.learners()) {
            String name = r.name().length() > 24 ? r.name().substring(0, 21) + "..." : r.name();
            out.printf(Locale.ROOT, "%-24s %8.2f%% %8.4f %8.4f %8.4f %9.2f%% %8s %8s %9s %9s %9s%n", name,
                    100 * r.cumulative().accuracy(), r.cumulative().kappa(), r.cumulative().kappaTemporal(), r.cumulative().kappaM(),
                    100 * r.windowed().accuracy(), fixed(r.rocAuc()), fixed(r.prAuc()),
                    r.trust() == null ? "-" : percent(r.trust().coverage()), r.trust() == null ? "-" : percent(r.trust().abstentionRate()),
                    r.trust() == null ? "-" : percent(r.trust().selectiveAccuracy()));
        }
        LearnerResult model = report.learners().get(0);
        LearnerResult.Estimates estimates = model.estimates();
        if (!Double.isNaN(estimates.accuracy())) {
            out.printf(Locale.ROOT, "accuracy estimated before the labels %.2f%% (realised %.2f%%), %.2f pp from the realised by window "
                            + "on average, %d of %d windows beyond the estimate's band%n", 100 * estimates.accuracy(),
                    100 * estimates.realisedAccuracy(), 100 * estimates.meanAbsoluteError(), estimates.gaps(), estimates.windows().size());
        }
        if (model.irregularVotes() > 0) {
            out.printf(Locale.ROOT, "%,d predictions met NaN or infinite votes from MOA (read as the rule in ClassProbabilities says)%n",
                    model.irregularVotes());
        }
        if (report.implicit() != null) {
            out.printf(Locale.ROOT, "labels of '%s' never delivered: %,d events learned as it after %s without a label, %,d of them "
                            + "corrected by a label that came later%n", stream.schema().classes().get(report.implicit().classIndex()),
                    report.implicit().implied(), report.implicit().after(), report.implicit().corrections());
        }
        out.printf(Locale.ROOT, "%,d events in %.1f s (%,.0f events/s)%n", report.events(), report.seconds(), report.eventsPerSecond());
    }

    private static String percent(double value) {
        return Double.isFinite(value) ? String.format(Locale.ROOT, "%.2f%%", 100 * value) : "-";
    }

    private static String fixed(double value) {
        return Double.isFinite(value) ? String.format(Locale.ROOT, "%.4f", value) : "-";
    }
}
