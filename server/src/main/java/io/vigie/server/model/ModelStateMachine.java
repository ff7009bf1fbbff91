package io.vigie.server.model;

import com.yahoo.labs.samoa.instances.Instance;
import io.vigie.learner.AlertBudget;
import io.vigie.learner.Ensemble;
import io.vigie.learner.Learners;
import io.vigie.learner.Model;
import io.vigie.learner.ModelSpec;
import io.vigie.learner.ModelState;
import io.vigie.learner.Prediction;
import io.vigie.learner.Schema;
import io.vigie.learner.Snapshot;
import io.vigie.learner.monitor.InputDriftMonitor;
import io.vigie.server.ApiProblem;
import io.vigie.server.store.Answer;
import io.vigie.server.store.LogRecord;
import io.vigie.server.store.PendingEvents;
import io.vigie.server.store.ScoredEvent;
import io.vigie.server.store.SourcePositions;
import io.vigie.server.store.Versions;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import java.util.ArrayList;
import java.util.Collections;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.SortedSet;
import java.util.TreeSet;
import java.util.concurrent.TimeUnit;
import java.util.function.LongFunction;
import java.util.function.Supplier;

/**
 * A model and what is served beside it (metrics, timeline, input monitor, challengers, the stream
 * positions its log holds), changed only by {@link #apply applying} log records in order: the
 * same code live and at replay, so a recovered model is the one that would have been, bit for bit.
 *
 * <p>It does no I/O. The writer logs a record before it is applied, stores what {@link #score}
 * returns, and writes the labels {@link #takeLabelled} hands over to the pending store; the one
 * file a record may need, the snapshot a rollback restores, comes through the loader it is given.
 * Like Kafka's controller managers, it is tested alone by feeding it records.
 */
final class ModelStateMachine {
    private static final Logger LOG = LoggerFactory.getLogger(ModelStateMachine.class);
    private static final long STATE_REFRESH_NANOS = TimeUnit.SECONDS.toNanos(5);

    /** What the meters hear of: each learning step, each that threw, each input drift check. */
    interface Listener {
        void learned();

        void learnFailed();

        void inputsChecked(InputDriftMonitor.Check check);

        /** A label was learned: implied (none came in time), or sent and correcting an implied one. */
        default void labelled(boolean implied, boolean correction) {
        }

        Listener NONE = new Listener() {
            @Override
            public void learned() {
            }

            @Override
            public void learnFailed() {
            }

            @Override
            public void inputsChecked(InputDriftMonitor.Check check) {
            }
        };
    }

    /** A batch scored: the answers to give, and the events to store until their labels come. */
    record Scores(List<Scored> answers, List<PendingEvents.Scoring> stored) {
    }

    private final ModelDefinition definition;
    private final Schema schema;
    private final LongFunction<Model> versions;
    private final Listener listener;
    private final List<PendingEvents.Labelled> labelled = new ArrayList<>();
    private final List<PendingEvents.Scoring> learnedEvents = new ArrayList<>();
    private Model model;
    private ServingState serving;
    private Challengers challengers;
    private SourcePositions positions = new SourcePositions();
    private volatile SortedSet<Long> rollbackTargets = Collections.emptySortedSet();
    private long version;
    private ModelState state;
    private boolean frozen;
    private final List<Runnable> whileFrozen = new ArrayList<>();
    private long stateVersion = -1;
    private long stateMeasuredAt;

    /**
     * Starts from a snapshot, or from a fresh model when {@code start} is null.
     *
     * @param versions loads the model of a version, for a rollback record replayed without one
     */
    ModelStateMachine(ModelDefinition definition, Snapshot start, LongFunction<Model> versions, Listener listener) {
        this.definition = definition;
        this.schema = definition.schema();
        this.versions = versions;
        this.listener = listener;
        if (start == null) {
            model = definition.newModel(Learners.create(definition.spec(), schema));
            serving(ServingState.from(null, schema));
        } else {
            Map<String, String> attributes = start.provenance().attributes();
            model = start.model();
            serving(ServingState.from(start.state(), schema));
            version = Long.parseLong(attributes.get(Versions.VERSION));
            positions = SourcePositions.parse(attributes.get(Versions.SOURCE_POSITIONS));
            rollbackTargets = parseTargets(attributes.get(Versions.ROLLBACK_TARGETS));
        }
    }

    private void serving(ServingState state) {
        serving = state;
        challengers = state.challengers();
    }

    /** The sequence number of the last record applied. */
    long version() {
        return version;
    }

    Model model() {
        return model;
    }

    ServingState serving() {
        return serving;
    }

    SourcePositions positions() {
        return positions;
    }

    /**
     * The versions logged rollbacks restore: replaying the log needs their snapshots, so they are
     * kept. Safe from any thread (an immutable set, replaced whole).
     */
    SortedSet<Long> rollbackTargets() {
        return rollbackTargets;
    }

    private static SortedSet<Long> parseTargets(String encoded) {
        TreeSet<Long> targets = new TreeSet<>();
        if (encoded != null && !encoded.isEmpty()) {
            for (String version : encoded.split(",")) {
                targets.add(Long.parseLong(version));
            }
        }
        return Collections.unmodifiableSortedSet(targets);
    }

    /** Whether the log already holds a record from this stream position. */
    boolean holds(LogRecord.Source source) {
        return source != null && positions.holds(source);
    }

    // ---- scoring ------------------------------------------------------------------------------

    /**
     * Scores events in order: the champion and every challenger answer, a canary's answer goes
     * back when the id falls in its share, and the input monitor sees each event. An event's time
     * is its own if its sender gave one, else {@code now}; it moves the model's clock on.
     */
    Scores score(List<ScoreRequest> requests, long now) {
        List<Scored> answers = new ArrayList<>(requests.size());
        List<PendingEvents.Scoring> stored = new ArrayList<>(requests.size());
        boolean canaries = challengers.hasCanary();
        budgetVolume();
        for (ScoreRequest request : requests) {
            String id = request.id();
            Instance event = request.event();
            long time = EventTime.or(request.time(), now);
            Prediction p = model.predict(event);
            List<Challengers.Scoring> shadows = challengers.score(event);
            Challenger canary = canaries ? challengers.canary(id) : null;
            Prediction answered = p;
            for (Challengers.Scoring s : shadows) {
                if (s.challenger() == canary) {
                    answered = s.prediction();
                }
            }
            double[] values = event.toDoubleArray();
            stored.add(new PendingEvents.Scoring(id, new ScoredEvent(version, now, values, Answer.of(p), -1, 0,
                    shadows.stream().map(Challengers.Scoring::shadow).toList(), canary == null ? null : canary.name(), time, false,
                    request.keys())));
            answers.add(new Scored(id, answered, version, null, !canaries ? null : canary == null ? Scored.CHAMPION : canary.name()));
            monitor(values, p, time);
            scored(time, p, request.keys());
        }
        return new Scores(answers, stored);
    }

    /** Alert budgets (the champion's, the challengers') are a share of the events scored a day: tell them the latest volume. */
    private void budgetVolume() {
        if (definition.alertBudget() == null) {
            return;
        }
        long volume = serving.alerts().volume(serving.clock());
        if (model.operatingPoint() instanceof AlertBudget budget) {
            budget.expectVolume(volume);
        }
        for (Challenger c : challengers.list()) {
            if (c.model().operatingPoint() instanceof AlertBudget budget) {
                budget.expectVolume(volume);
            }
        }
    }

    /**
     * A scoring moves the model's clock on and counts for its day (an alert if a binary model named
     * its positive class); a frozen model's state waits for the thaw, like the input monitor's.
     */
    private void scored(long time, Prediction p, List<String> keys) {
        int alertClass = definition.alertClass();
        ModelDefinition.CardPrecision cards = definition.cardPrecision();
        int k = cards == null ? 0 : cards.k();
        String entity = cards == null ? null : cards.entityOf(keys);
        double score = alertClass < 0 ? 0 : p.probabilities().probability(alertClass);
        int label = p.label();
        if (frozen) {
            whileFrozen.add(() -> serving.scored(time, label, alertClass, k, entity, score));
        } else {
            serving.scored(time, label, alertClass, k, entity, score);
        }
    }

    /** The latest time of an event or label the model has seen: implicit labels fall due by it. */
    long clock() {
        return serving.clock();
    }

    /** The answer with the reasons of the model that gave it (the champion, or the canary that answered). */
    Scored explain(Scored scored, Instance event) {
        Challenger canary = scored.answeredBy() == null ? null : challengers.get(scored.answeredBy());
        Model answering = canary == null ? model : canary.model();
        return scored.explained(answering.learner().explain(event));
    }

    private void monitor(double[] values, Prediction p, long now) {
        if (frozen) {
            whileFrozen.add(() -> monitor(values, p, now));
            return;
        }
        InputDriftMonitor.Check check = serving.monitor(values, p, definition.alertClass(), model.learner().learned(), now);
        if (check != null) {
            listener.inputsChecked(check);
        }
    }

    // ---- applying log records -----------------------------------------------------------------

    /**
     * Applies one logged record. {@code preloaded} is a rollback's model when the writer already
     * read it (off its thread, before logging the record); at replay it is null and the version
     * is loaded here.
     */
    void apply(long seq, LogRecord record, Model preloaded) {
        if (frozen) {
            throw new IllegalStateException("record " + seq + " applied while the model is serialized elsewhere");
        }
        if (record instanceof LogRecord.Label label) {
            applyLabel(label.id(), label.label(), label.time(), label.event(), false);
            advance(label.source());
        } else if (record instanceof LogRecord.ImpliedLabel implied) {
            applyLabel(implied.id(), implied.label(), implied.time(), implied.event(), true);
        } else if (record instanceof LogRecord.LabelledEvent event) {
            applyLabelledEvent(event);
        } else if (record instanceof LogRecord.Rollback rollback) {
            championChanged(preloaded != null ? preloaded : versions.apply(rollback.version()), seq, null);
            TreeSet<Long> targets = new TreeSet<>(rollbackTargets);
            targets.add(rollback.version());
            rollbackTargets = Collections.unmodifiableSortedSet(targets);
        } else if (record instanceof LogRecord.ChallengerAdded added) {
            challengers.add(added.name(), new ModelSpec(added.model(), added.seed()), Challenger.Mode.parse(added.mode()),
                    added.share(), new Challenger.Promotion(added.promoteAfter(), added.promoteBelow()), seq, schema,
                    definition::newModel);
        } else if (record instanceof LogRecord.ChallengerRemoved removed) {
            challengers.remove(removed.name());
        } else if (record instanceof LogRecord.Promotion promotion) {
            championChanged(challengers.remove(promotion.challenger()).model(), seq, promotion.challenger());
            serving.timeline().mark(model.learner().learned(), promotion.timeMillis(), "promotion", promotion.challenger());
        } else if (record instanceof LogRecord.Lost lost) {
            serving.timeline().mark(model.learner().learned(), lost.timeMillis(), "lost_record",
                    lost.id().isEmpty() ? "unreadable" : lost.id());
        }
        version = seq;
    }

    /**
     * Learns a label joined to its event, sent or implied. A sent label that contradicts an implied
     * one is a correction: the event is learned again with its true class, and counted, but not
     * measured twice (its answer was measured against the implied label).
     */
    private void applyLabel(String id, int label, long time, ScoredEvent event, boolean implied) {
        boolean correction = !implied && event.implied() && event.label() != label;
        Prediction served = event.answer().prediction();
        Prediction own = serving.championAnswer(event);
        Instance instance = schema.instance(event.values());
        instance.setClassValue(label);
        Prediction learnedFrom = learn(() -> learnFromOwnAnswer(instance, own));
        if (learnedFrom != null && !correction) {
            serving.measure(served, label, definition.positiveClass(), model.learner().learned(), time);
        }
        Prediction champion = learnedFrom != null ? learnedFrom : own != null ? own : served;
        challengers.learn(instance, event, champion, label, false);
        labelled.add(new PendingEvents.Labelled(id, event, label, time, implied));
        ModelDefinition.CardPrecision cards = definition.cardPrecision();
        if (cards != null && label == definition.alertClass()) {
            serving.fraudLearned(cards.k(), event.eventTime(), cards.entityOf(event.keys()));
        }
        serving.countLabel(implied, correction);
        listener.labelled(implied, correction);
        serving.advanceClock(time);
    }

    private void applyLabelledEvent(LogRecord.LabelledEvent event) {
        Instance instance = schema.instance(event.values());
        instance.setClassValue(event.label());
        Prediction given = learn(() -> model.learnUnscored(instance));
        if (given != null) {
            learnedEvents.add(new PendingEvents.Scoring(event.id(), new ScoredEvent(version, event.timeMillis(), event.values(),
                    Answer.of(given), event.label(), event.timeMillis(), List.of(), null, event.time(), false, List.of())));
            serving.measure(given, event.label(), definition.positiveClass(), model.learner().learned(), event.time());
            monitor(event.values(), given, event.time());
            challengers.learn(instance, null, given, event.label(), true);
        }
        serving.advanceClock(event.time());
        advance(event.source());
    }

    /** A promotion or rollback made {@code champion} the model; every challenger is compared with it afresh. */
    private void championChanged(Model champion, long seq, String promoted) {
        model = champion;
        serving.championChanged(seq, promoted);
        state = null; // another model: measure it afresh
        challengers.restartComparisons(schema.numClasses());
    }

    /**
     * The champion learns a label from the answer it gave the event, or, when it never scored it
     * (scored before a promotion or rollback made it champion), from one it gives now, as
     * challengers do; returns the answer it learned from.
     */
    private Prediction learnFromOwnAnswer(Instance labelled, Prediction own) {
        if (own == null) {
            return model.learnUnscored(labelled);
        }
        model.learn(labelled, own);
        return own;
    }

    /**
     * Runs a learning step and returns the answer it learned from, or null if the learner threw.
     * A learner that throws on a logged event would throw again at replay, so the event is counted
     * and skipped, the same way both times, rather than stopping the model.
     */
    private Prediction learn(Supplier<Prediction> step) {
        try {
            Prediction learnedFrom = step.get();
            listener.learned();
            return learnedFrom;
        } catch (RuntimeException e) {
            listener.learnFailed();
            LOG.warn("model '{}' could not learn an event: {}", definition.name(), e.toString());
            return null;
        }
    }

    private void advance(LogRecord.Source source) {
        if (source != null) {
            positions.advance(source);
        }
    }

    /** Labels learned since the last call, for the writer to record on their stored events. */
    List<PendingEvents.Labelled> takeLabelled() {
        List<PendingEvents.Labelled> taken = List.copyOf(labelled);
        labelled.clear();
        return taken;
    }

    /** Labelled events learned since the last call (never scored before), for the writer to store: their ids are taken. */
    List<PendingEvents.Scoring> takeLearned() {
        List<PendingEvents.Scoring> taken = List.copyOf(learnedEvents);
        learnedEvents.clear();
        return taken;
    }

    /** How many learned labels and events wait for {@link #takeLabelled} and {@link #takeLearned}. */
    int labelledWaiting() {
        return labelled.size() + learnedEvents.size();
    }

    // ---- challengers ----------------------------------------------------------------------------

    /** The challengers, in the order they were added. */
    List<Challenger> challengers() {
        return challengers.list();
    }

    /** Refuses a challenger that cannot be added: its name is taken, or canaries would answer more than every request. */
    void checkNewChallenger(String name, Challenger.Mode mode, double share) {
        if (challengers.get(name) != null) {
            throw ApiProblem.conflict("challenger-exists", "model '" + definition.name() + "' already has a challenger named '"
                    + name + "'");
        }
        if (mode == Challenger.Mode.CANARY && challengers.canaryShare() + share > 1 + 1e-12) {
            throw ApiProblem.invalid("canaries would answer more than every request: " + challengers.canaryShare()
                    + " is taken, " + share + " asked");
        }
    }

    void requireChallenger(String name) {
        if (challengers.get(name) == null) {
            throw ApiProblem.notFound("unknown-challenger", "model '" + definition.name() + "' has no challenger named '" + name
                    + "'; see GET /v1/models/" + definition.name() + "/comparison");
        }
    }

    /** The first challenger whose automatic promotion policy says it won, or null. */
    Challenger winner() {
        return challengers.winner();
    }

    // ---- what readers and meters see ------------------------------------------------------------

    /**
     * The learner's state as last measured, or null before the first measurement. Measuring
     * serializes the model (its size, and each member's), which for a large ensemble takes long:
     * the writer measures again only when {@link #stateStale}, and does it while serving.
     */
    ModelState cachedState() {
        return state;
    }

    /** Whether the model changed since its state was measured, at least {@link #STATE_REFRESH_NANOS} ago. */
    boolean stateStale() {
        return state == null || stateVersion != version && System.nanoTime() - stateMeasuredAt > STATE_REFRESH_NANOS;
    }

    /** The learner's state, measured now (off the writer while it is frozen, or on it). */
    void stateMeasured(ModelState measured) {
        state = measured;
        stateVersion = version;
        stateMeasuredAt = System.nanoTime();
    }

    // ---- frozen while serialized elsewhere ------------------------------------------------------------

    /**
     * From now until {@link #thaw}, the model is being serialized on another thread: it must not
     * change. Scoring goes on (predicting changes nothing), but what it would show the input
     * monitor (part of the serialized state) waits for the thaw.
     */
    void freeze() {
        frozen = true;
    }

    /** The model may change again; the input monitor sees what was scored meanwhile, in order. */
    void thaw() {
        frozen = false;
        List<Runnable> deferred = new ArrayList<>(whileFrozen);
        whileFrozen.clear();
        deferred.forEach(Runnable::run);
    }

    /** The figures gauges show, with {@code pending} events waiting for labels. */
    ModelMeters.Published figures(long pending) {
        ServingMetrics metrics = serving.metrics();
        ServingMetrics.Rates all = metrics.allRates();
        long resets = model.learner() instanceof Ensemble ensemble ? ensemble.resets().size() : 0;
        int alert = definition.alertClass(); // -1: not binary, no alert figures
        return new ModelMeters.Published(version, model.learner().learned(), pending, metrics.cumulative().accuracy(),
                metrics.windowed().accuracy(), metrics.cumulative().kappa(), all.coverage(), metrics.recentRates().coverage(),
                all.abstentionRate(), resets, alert >= 0 ? metrics.windowed().precision(alert) : Double.NaN,
                alert >= 0 ? metrics.windowed().recall(alert) : Double.NaN, alert >= 0 ? serving.timeline().latestPrAuc() : Double.NaN,
                serving.latestCardPrecision(), ModelView.Decision.of(model.operatingPoint()).line(),
                serving.timeline().latestEstimate(), serving.timeline().latestGap());
    }

    /** Each challenger's figures for gauges, by name. */
    Map<String, ModelMeters.ChallengerFigures> challengerFigures() {
        Map<String, ModelMeters.ChallengerFigures> figures = new HashMap<>();
        for (Challenger c : challengers.list()) {
            Comparison k = c.comparison();
            figures.put(c.name(), new ModelMeters.ChallengerFigures(c.model().learner().learned(), k.events(),
                    k.challenger().cumulative().accuracy(), k.champion().cumulative().accuracy()));
        }
        return figures;
    }
}
