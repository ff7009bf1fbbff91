package io.vigie.server.model;

import com.yahoo.labs.samoa.instances.Instance;
import io.micrometer.core.instrument.MeterRegistry;
import io.vigie.learner.Ensemble;
import io.vigie.learner.Explanation;
import io.vigie.learner.Learners;
import io.vigie.learner.Model;
import io.vigie.learner.ModelSpec;
import io.vigie.learner.ModelState;
import io.vigie.learner.Prediction;
import io.vigie.learner.Schema;
import io.vigie.learner.Snapshot;
import io.vigie.learner.SnapshotException;
import io.vigie.learner.SnapshotProvenance;
import io.vigie.learner.Snapshots;
import io.vigie.learner.monitor.InputDriftMonitor;
import io.vigie.server.ApiProblem;
import io.vigie.server.store.Answer;
import io.vigie.server.store.DiskGuard;
import io.vigie.server.store.EventLog;
import io.vigie.server.store.LogRecord;
import io.vigie.server.store.PendingEvents;
import io.vigie.server.store.ScoredEvent;
import io.vigie.server.store.SourcePositions;
import io.vigie.server.store.Versions;
import org.rocksdb.RocksDBException;

import java.io.IOException;
import java.nio.file.Path;
import java.time.Clock;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.ArrayBlockingQueue;
import java.util.concurrent.BlockingQueue;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.TimeUnit;
import java.util.function.Consumer;
import java.util.function.Function;
import java.util.function.Supplier;

/**
 * The one thread that owns a model. Predictions, labels, labelled events, snapshots and rollbacks
 * are tasks on its queue, applied in order; callers get futures and never touch the model.
 *
 * <p>Labels are group-committed: the writer drains up to {@link Settings#maxDrain} tasks, joins
 * each label to its scored event, appends all resulting records to the log with one fsync, then
 * applies them in log order and completes their futures. Replay after a crash applies the same
 * records with the same code ({@link #apply}), so the recovered model is the one that would have
 * been, bit for bit.
 *
 * <p>A full queue is back-pressure: the request is refused with 429 and Retry-After rather than
 * queued without bound.
 */
public final class ModelWriter implements AutoCloseable {

    /**
     * Tuning of a writer; {@code minFreeBytes}: writes are refused while the data dir's volume has
     * less free, read at most every {@code diskCheckMillis} (see {@link DiskGuard}).
     */
    public record Settings(int queueCapacity, int maxDrain, long snapshotEvery, long minFreeBytes, long diskCheckMillis) {
        public static final Settings DEFAULTS = new Settings(10_000, 512, 100_000, 64L << 20, 100);
    }

    /**
     * A prediction, the version of the model that made it, why (only when asked, else null), and
     * who answered: null when the model has no canary, else {@code champion} or the canary's name.
     */
    public record Scored(String id, Prediction prediction, long version, Explanation explanation, String answeredBy) {
        public Scored(String id, Prediction prediction, long version) {
            this(id, prediction, version, null, null);
        }
    }

    /** A promotion: the challenger now champion, the version holding the former champion, the version after. */
    public record Promoted(String challenger, long formerChampion, long version) {
    }

    /** A label to join: the event id, the class index (checked against the schema), the stream position or null. */
    public record LabelRequest(String id, int label, LogRecord.Source source) {
        public LabelRequest(String id, int label) {
            this(id, label, null);
        }
    }

    /** A labelled event to learn: its id, its instance with the class value set, the stream position or null. */
    public record EventRequest(String id, Instance labelled, LogRecord.Source source) {
        public EventRequest(String id, Instance labelled) {
            this(id, labelled, null);
        }
    }

    /** What became of one label or labelled event; ALREADY_LOGGED is a stream record redelivered after a restart. */
    public enum Outcome {
        LEARNED, UNKNOWN_ID, DUPLICATE, LATE, NOT_LOGGED, ALREADY_LOGGED
    }

    /** One item's outcome, with the model version that learned it (0 if it was not learned). */
    public record ItemResult(String id, Outcome outcome, long version, ApiProblem problem) {
        ItemResult(String id, Outcome outcome, long version) {
            this(id, outcome, version, null);
        }
    }

    private static final long STATE_REFRESH_NANOS = TimeUnit.SECONDS.toNanos(5);
    /** Who answered when the champion did, in {@link Scored#answeredBy}. */
    public static final String CHAMPION = "champion";

    private record Task(boolean barrier, Runnable work, CompletableFuture<?> future) {
    }

    private record Staged(LogRecord record, Model preloaded, Consumer<Long> applied, Consumer<ApiProblem> failed) {
    }

    private final ModelDefinition definition;
    private final Schema schema;
    private final Versions versions;
    private final PendingEvents pending;
    private final Clock clock;
    private final Settings settings;
    private final ModelMeters meters;
    private final java.util.function.BiConsumer<String, Promoted> automaticPromotions;
    private final BlockingQueue<Task> queue;
    private final ExecutorService snapshotIo;
    private final EventLog log;
    private final DiskGuard disk;
    private final Recovered recovered;
    private final Thread thread;
    private final List<Staged> staged = new ArrayList<>();
    private final Set<String> stagedIds = new HashSet<>();
    private final List<Runnable> afterFlush = new ArrayList<>();
    private final List<PendingEvents.Labelled> marks = new ArrayList<>();
    private volatile boolean accepting = true;

    // owned by the writer thread (and by the constructor during replay, before the thread starts)
    private Model model;
    private ServingState serving;
    private Challengers challengers; // the serving state's, used on every scoring and label
    /** Whether challenger gauges are registered (so that the last one's are removed when it goes). */
    private boolean challengerGauges;
    private SourcePositions positions = new SourcePositions();
    private ModelState state;
    private long stateVersion = -1;
    private long stateMeasuredAt;
    private long version;
    private long sinceSnapshot;
    private volatile boolean snapshotInFlight;

    private ModelWriter(ModelDefinition definition, Path dir, PendingEvents pending, Clock clock, Settings settings,
                        MeterRegistry registry, java.util.function.BiConsumer<String, Promoted> automaticPromotions) throws IOException {
        this.definition = definition;
        this.automaticPromotions = automaticPromotions;
        this.schema = definition.schema();
        this.pending = pending;
        this.clock = clock;
        this.settings = settings;
        this.meters = new ModelMeters(registry, definition.name(), InputDriftMonitor.channelNames(schema));
        this.queue = new ArrayBlockingQueue<>(settings.queueCapacity());
        this.snapshotIo = Executors.newSingleThreadExecutor(r -> daemon(r, "vigie-snapshots-" + definition.name()));
        this.versions = new Versions(dir.resolve("versions"));
        this.disk = new DiskGuard(dir, settings.minFreeBytes(), settings.diskCheckMillis());
        long started = System.nanoTime();
        Versions.Latest readable = versions.latestReadable();
        Snapshot latest = readable.snapshot();
        long offset = 0;
        if (latest == null) {
            model = new Model(Learners.create(definition.spec(), schema), definition.abstention());
            serving(ServingState.from(null, schema));
        } else {
            model = latest.model();
            serving(ServingState.from(latest.state(), schema));
            version = Long.parseLong(latest.provenance().attributes().get(Versions.VERSION));
            offset = Long.parseLong(latest.provenance().attributes().get(Versions.LOG_OFFSET));
            positions = SourcePositions.parse(latest.provenance().attributes().get(Versions.SOURCE_POSITIONS));
        }
        try {
            this.log = EventLog.open(dir.resolve("events.log"), offset, version, (seq, record, end) -> apply(seq, record, null));
            markLabelled();
        } catch (IOException | RuntimeException e) {
            snapshotIo.shutdownNow();
            meters.remove();
            throw e;
        }
        sinceSnapshot = log.recovery().replayed();
        recovered = new Recovered(latest == null ? null : version - log.recovery().replayed(), readable.unreadable(),
                log.recovery().replayed(), log.recovery().tornBytes(), (System.nanoTime() - started) / 1_000_000);
        publish();
        this.thread = new Thread(this::run, "vigie-model-" + definition.name());
        thread.setDaemon(true);
    }

    /**
     * Opens a model: its latest readable snapshot, then the log after it. A model with no
     * snapshot yet gets version 0 written first, so there is always a version to roll back to.
     * {@code automaticPromotions} hears of promotions a challenger's policy made (by model name).
     */
    public static ModelWriter open(ModelDefinition definition, Path dir, PendingEvents pending, Clock clock,
                                   Settings settings, MeterRegistry registry,
                                   java.util.function.BiConsumer<String, Promoted> automaticPromotions) throws IOException {
        ModelWriter writer = new ModelWriter(definition, dir, pending, clock, settings, registry, automaticPromotions);
        if (writer.versions.list().isEmpty()) {
            writer.writeSnapshot(writer.encodeSnapshot("initial"));
        }
        writer.thread.start();
        return writer;
    }

    private void serving(ServingState state) {
        serving = state;
        challengers = state.challengers();
    }

    private static Thread daemon(Runnable r, String name) {
        Thread t = new Thread(r, name);
        t.setDaemon(true);
        return t;
    }

    public ModelDefinition definition() {
        return definition;
    }

    /** How the model came back when it was opened. */
    public Recovered recovered() {
        return recovered;
    }

    // ---- what callers ask for ------------------------------------------------------------

    /** Scores an event and stores it until its label arrives. */
    public CompletableFuture<Scored> predict(String id, Instance unlabelled) {
        return predict(id, unlabelled, false);
    }

    /** Scores an event and stores it; with {@code explain}, also says why, from the model that answered. */
    public CompletableFuture<Scored> predict(String id, Instance unlabelled, boolean explain) {
        return submit(false, future -> {
            Scored scored = scoreAll(List.of(id), List.of(unlabelled)).get(0);
            if (explain) {
                Challenger canary = challengers.get(scored.answeredBy() == null ? "" : scored.answeredBy());
                Model answering = canary == null ? model : canary.model();
                scored = new Scored(id, scored.prediction(), scored.version(), answering.learner().explain(unlabelled),
                        scored.answeredBy());
            }
            future.complete(scored);
        });
    }

    /** Scores events in order, in one hand-off. */
    public CompletableFuture<List<Scored>> predictAll(List<String> ids, List<Instance> unlabelled) {
        return submit(false, future -> future.complete(scoreAll(ids, unlabelled)));
    }

    /** Joins labels to their scored events and learns them; completes once they are logged and learned. */
    public CompletableFuture<List<ItemResult>> label(List<LabelRequest> labels) {
        return submit(false, future -> {
            ItemResult[] results = new ItemResult[labels.size()];
            long now = clock.millis();
            for (int i = 0; i < labels.size(); i++) {
                LabelRequest request = labels.get(i);
                int item = i;
                if (request.source() != null && positions.holds(request.source())) {
                    results[i] = new ItemResult(request.id(), Outcome.ALREADY_LOGGED, 0);
                    continue;
                }
                ScoredEvent event = pendingEvent(request.id());
                Outcome refused = event == null ? Outcome.UNKNOWN_ID
                        : event.labelled() || stagedIds.contains(request.id()) ? Outcome.DUPLICATE
                        : pending.expired(event) ? Outcome.LATE : null;
                if (refused != null) {
                    results[i] = new ItemResult(request.id(), refused, 0);
                    reject(refused);
                    continue;
                }
                stagedIds.add(request.id());
                stage(new LogRecord.Label(request.id(), request.label(), now, event, request.source()), null,
                        seq -> results[item] = new ItemResult(request.id(), Outcome.LEARNED, seq),
                        problem -> results[item] = new ItemResult(request.id(), Outcome.NOT_LOGGED, 0, problem));
            }
            afterFlush.add(() -> future.complete(Arrays.asList(results)));
        });
    }

    /** Learns labelled events never scored (each is scored first, test-then-train). */
    public CompletableFuture<List<ItemResult>> learn(List<EventRequest> events) {
        return submit(false, future -> {
            ItemResult[] results = new ItemResult[events.size()];
            long now = clock.millis();
            for (int i = 0; i < events.size(); i++) {
                EventRequest event = events.get(i);
                int item = i;
                if (event.source() != null && positions.holds(event.source())) {
                    results[i] = new ItemResult(event.id(), Outcome.ALREADY_LOGGED, 0);
                    continue;
                }
                stage(new LogRecord.LabelledEvent(event.id(), event.labelled().toDoubleArray(),
                                (int) event.labelled().classValue(), now, event.source()), null,
                        seq -> results[item] = new ItemResult(event.id(), Outcome.LEARNED, seq),
                        problem -> results[item] = new ItemResult(event.id(), Outcome.NOT_LOGGED, 0, problem));
            }
            afterFlush.add(() -> future.complete(Arrays.asList(results)));
        });
    }

    /** Snapshots the model now; completes with the version once the file is on disk. */
    public CompletableFuture<Versions.Version> snapshot() {
        return submit(true, future -> {
            Versions.Version existing = versions.get(version);
            if (existing != null) {
                future.complete(existing);
                return;
            }
            EncodedSnapshot snapshot = encodeSnapshot("manual");
            snapshotInFlight = true;
            snapshotIo.execute(() -> {
                try {
                    future.complete(writeSnapshot(snapshot));
                } catch (RuntimeException e) {
                    future.completeExceptionally(e);
                }
            });
        });
    }

    /**
     * Swaps the model for an earlier version: the snapshot is read and verified off the writer
     * thread while the current model keeps serving, then the swap is logged and applied.
     * Completes with the new version (the rollback record's sequence number).
     */
    public CompletableFuture<Long> rollback(long target) {
        if (!versions.contains(target)) {
            return CompletableFuture.failedFuture(ApiProblem.notFound("unknown-version",
                    "model '" + definition.name() + "' has no version " + target + "; see GET /v1/models/"
                            + definition.name() + "/versions"));
        }
        return CompletableFuture.supplyAsync(() -> versions.load(target), snapshotIo)
                .thenCompose(snapshot -> this.<Long>submit(true, future -> stage(new LogRecord.Rollback(target, clock.millis()),
                        snapshot.model(), future::complete, future::completeExceptionally)));
    }

    /**
     * Adds a challenger; completes with the version of its record. It must not exist yet, and
     * canaries together answer at most every request.
     */
    public CompletableFuture<Long> addChallenger(String name, ModelSpec spec, Challenger.Mode mode, double share,
                                                 Challenger.Promotion policy) {
        return submit(true, future -> {
            if (challengers.get(name) != null) {
                throw ApiProblem.conflict("challenger-exists", "model '" + definition.name() + "' already has a challenger named '"
                        + name + "'");
            }
            if (mode == Challenger.Mode.CANARY && challengers.canaryShare() + share > 1 + 1e-12) {
                throw ApiProblem.invalid("canaries would answer more than every request: " + challengers.canaryShare()
                        + " is taken, " + share + " asked");
            }
            stage(new LogRecord.ChallengerAdded(name, spec.model(), spec.seed(), mode.code(), share, policy.afterEvents(),
                    policy.belowPValue(), clock.millis()), null, future::complete, future::completeExceptionally);
        });
    }

    /** Drops a challenger; completes with the version of its record. */
    public CompletableFuture<Long> removeChallenger(String name) {
        return submit(true, future -> {
            requireChallenger(name);
            stage(new LogRecord.ChallengerRemoved(name, clock.millis()), null, future::complete, future::completeExceptionally);
        });
    }

    /**
     * Makes a challenger the champion, between two requests. The champion is first kept as a
     * version (a snapshot written now if the current version has none) to roll back to; the
     * promotion is then logged and applied.
     */
    public CompletableFuture<Promoted> promote(String name) {
        return submit(true, future -> {
            requireChallenger(name);
            promoteNow(name, future::complete, future::completeExceptionally);
        });
    }

    /** On the writer thread, with nothing staged: keeps the champion as a version, then stages the promotion. */
    private void promoteNow(String name, Consumer<Promoted> promoted, Consumer<ApiProblem> failed) {
        long former = version;
        if (!versions.contains(former)) {
            EncodedSnapshot snapshot = encodeSnapshot("before-promotion");
            snapshotInFlight = true;
            try {
                snapshotIo.submit(() -> writeSnapshot(snapshot)).get(); // after any snapshot in flight
            } catch (Exception e) {
                throw ApiProblem.unavailable("snapshot-failed", "the champion could not be kept as a version, nothing changed: "
                        + e.getMessage(), 5);
            }
        }
        stage(new LogRecord.Promotion(name, clock.millis()), null, seq -> promoted.accept(new Promoted(name, former, seq)), failed);
    }

    /**
     * Promotes a challenger whose automatic policy says it won, after a batch: the promotion is a
     * logged record like any other, so replay follows the log rather than deciding again.
     */
    private void promoteWinner() {
        Challenger winner = challengers.winner();
        if (winner == null) {
            return;
        }
        try {
            promoteNow(winner.name(), p -> automaticPromotions.accept(definition.name(), p),
                    problem -> System.err.println("vigie: automatic promotion of '" + winner.name() + "' failed: " + problem.getMessage()));
            flush();
            publish();
        } catch (ApiProblem problem) {
            System.err.println("vigie: automatic promotion of '" + winner.name() + "' failed: " + problem.getMessage());
        }
    }

    private void requireChallenger(String name) {
        if (challengers.get(name) == null) {
            throw ApiProblem.notFound("unknown-challenger", "model '" + definition.name() + "' has no challenger named '" + name
                    + "'; see GET /v1/models/" + definition.name() + "/comparison");
        }
    }

    /** Runs a read of the model's state on its thread: everything acknowledged before is visible. */
    public <T> CompletableFuture<T> read(Function<ModelView, T> reader) {
        return submit(false, future -> future.complete(reader.apply(new ModelView(definition, model, serving.metrics(),
                serving.timeline(), serving.inputs(), challengers.list(), version, recovered, pending, this::state, versions::list))));
    }

    /**
     * The learner's state, measured again only if the model changed and the last measurement is
     * older than {@link #STATE_REFRESH_NANOS}: measuring serializes the model (its size, and each
     * member's), which for a large ensemble would stall the writer on every read.
     */
    private ModelState state() {
        long now = System.nanoTime();
        if (state == null || stateVersion != version && now - stateMeasuredAt > STATE_REFRESH_NANOS) {
            state = model.learner().state();
            stateVersion = version;
            stateMeasuredAt = now;
        }
        return state;
    }

    /** The stored scoring of an id with its label if known, or null. Safe from any thread. */
    public ScoredEvent storedEvent(String id) {
        return pendingEvent(id);
    }

    /** A version's snapshot bytes, as written. Safe from any thread. */
    public byte[] snapshotBytes(long version) {
        return versions.bytes(version);
    }

    /** The model's versions, oldest first. */
    public List<Versions.Version> versions() {
        return versions.list();
    }

    // ---- the writer thread ----------------------------------------------------------------

    private <T> CompletableFuture<T> submit(boolean barrier, Consumer<CompletableFuture<T>> work) {
        CompletableFuture<T> future = new CompletableFuture<>();
        if (!accepting) {
            future.completeExceptionally(ApiProblem.unavailable("stopping", "model '" + definition.name()
                    + "' is shutting down or being deleted", 1));
            return future;
        }
        if (!queue.offer(new Task(barrier, () -> work.accept(future), future))) {
            future.completeExceptionally(ApiProblem.busy("model '" + definition.name() + "' has "
                    + settings.queueCapacity() + " requests queued; retry shortly"));
        }
        return future;
    }

    private void run() {
        List<Task> batch = new ArrayList<>(settings.maxDrain());
        while (true) {
            try {
                batch.add(queue.take());
            } catch (InterruptedException e) {
                return;
            }
            queue.drainTo(batch, settings.maxDrain() - 1);
            for (Task task : batch) {
                if (task.work() == null) { // the poison pill: close() was called
                    flush();
                    return;
                }
                if (task.barrier()) {
                    flush();
                }
                try {
                    task.work().run();
                } catch (ApiProblem problem) {
                    task.future().completeExceptionally(problem);
                } catch (RuntimeException | Error e) {
                    System.err.println("vigie: model '" + definition.name() + "': " + e);
                    task.future().completeExceptionally(e);
                }
            }
            flush();
            batch.clear();
            publish();
            promoteWinner();
            if (sinceSnapshot >= settings.snapshotEvery() && !snapshotInFlight) {
                EncodedSnapshot snapshot = encodeSnapshot("periodic");
                snapshotInFlight = true;
                snapshotIo.execute(() -> writeSnapshot(snapshot));
            }
        }
    }

    /** Scores events in order and stores them, in one RocksDB read and write. */
    private List<Scored> scoreAll(List<String> ids, List<Instance> unlabelled) {
        disk.check(); // before anything is scored: a refused batch leaves no trace
        List<Scored> scored = new ArrayList<>(ids.size());
        List<PendingEvents.Scoring> scorings = new ArrayList<>(ids.size());
        long now = clock.millis();
        boolean canaries = challengers.hasCanary();
        for (int i = 0; i < ids.size(); i++) {
            String id = ids.get(i);
            Instance event = unlabelled.get(i);
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
            scorings.add(new PendingEvents.Scoring(id, new ScoredEvent(version, now, values, Answer.of(p),
                    shadows.stream().map(Challengers.Scoring::shadow).toList(), canary == null ? null : canary.name())));
            scored.add(new Scored(id, answered, version, null, !canaries ? null : canary == null ? CHAMPION : canary.name()));
            monitor(values, p, now);
        }
        try {
            pending.scored(scorings);
        } catch (RocksDBException e) {
            throw ApiProblem.unavailable("store-failed", "the pending-event store refused the write (" + e.getMessage()
                    + "); nothing was scored or stored, retry later", 5);
        }
        scored.forEach(s -> meters.predicted(s.prediction()));
        return scored;
    }

    /** Shows a scored event to the input drift monitor; at a window's end, the meters hear of the check. */
    private void monitor(double[] values, Prediction p, long now) {
        InputDriftMonitor.Check check = serving.monitor(values, p, model.learner().learned(), now);
        if (check != null) {
            meters.inputsChecked(check);
        }
    }

    private ScoredEvent pendingEvent(String id) {
        try {
            return pending.get(id);
        } catch (RocksDBException e) {
            throw ApiProblem.unavailable("store-failed", "the pending-event store could not be read (" + e.getMessage()
                    + "); retry later", 5);
        }
    }

    private void reject(Outcome outcome) {
        meters.rejected(outcome);
        try {
            pending.rejected(switch (outcome) {
                case UNKNOWN_ID -> PendingEvents.Counter.UNKNOWN;
                case DUPLICATE -> PendingEvents.Counter.DUPLICATE;
                default -> PendingEvents.Counter.LATE;
            });
        } catch (RocksDBException e) {
            System.err.println("vigie: cannot count a rejected label: " + e.getMessage());
        }
    }

    private void stage(LogRecord record, Model preloaded, Consumer<Long> applied, Consumer<ApiProblem> failed) {
        staged.add(new Staged(record, preloaded, applied, failed));
    }

    /** Group commit: logs what was staged with one fsync, applies it in log order, then answers. */
    private void flush() {
        if (!staged.isEmpty()) {
            List<LogRecord> records = staged.stream().map(Staged::record).toList();
            long first = -1;
            long started = System.nanoTime();
            ApiProblem full = disk.problem();
            if (full != null) {
                staged.forEach(s -> s.failed().accept(full));
            } else {
                try {
                    first = log.append(records);
                    meters.logAppend.record(System.nanoTime() - started, TimeUnit.NANOSECONDS);
                } catch (IOException e) {
                    ApiProblem problem = ApiProblem.unavailable("log-write-failed",
                            "the log could not be written (" + e.getMessage() + "); nothing was learned, retry later", 5);
                    staged.forEach(s -> s.failed().accept(problem));
                }
            }
            if (first >= 0) {
                for (int i = 0; i < staged.size(); i++) {
                    Staged s = staged.get(i);
                    apply(first + i, s.record(), s.preloaded());
                    s.applied().accept(first + i);
                }
            }
            staged.clear();
            stagedIds.clear();
            markLabelled();
        }
        afterFlush.forEach(Runnable::run);
        afterFlush.clear();
    }

    /** Applies one logged record: the same code at run time and at replay. */
    private void apply(long seq, LogRecord record, Model preloaded) {
        if (record instanceof LogRecord.Label label) {
            ScoredEvent event = label.event();
            Prediction served = event.answer().prediction();
            Prediction own = serving.championAnswer(event);
            Instance labelled = schema.instance(event.values());
            labelled.setClassValue(label.label());
            Prediction learnedFrom = learn(() -> learnFromOwnAnswer(labelled, own));
            if (learnedFrom != null) {
                measure(served, label.label(), label.timeMillis());
            }
            Prediction champion = learnedFrom != null ? learnedFrom : own != null ? own : served;
            challengers.learn(labelled, event, champion, label.label(), false);
            marks.add(new PendingEvents.Labelled(label.id(), event, label.label(), label.timeMillis()));
            advance(label.source());
            if (marks.size() >= 10_000) { // a long replay
                markLabelled();
            }
        } else if (record instanceof LogRecord.LabelledEvent event) {
            Instance labelled = schema.instance(event.values());
            labelled.setClassValue(event.label());
            Prediction given = learn(() -> model.learnUnscored(labelled));
            if (given != null) {
                measure(given, event.label(), event.timeMillis());
                monitor(event.values(), given, event.timeMillis());
                challengers.learn(labelled, null, given, event.label(), true);
            }
            advance(event.source());
        } else if (record instanceof LogRecord.Rollback rollback) {
            model = preloaded != null ? preloaded : versions.load(rollback.version()).model();
            serving.championChanged(seq, null);
            state = null; // another model: measure it afresh
            challengers.restartComparisons(schema.numClasses());
        } else if (record instanceof LogRecord.ChallengerAdded added) {
            challengers.add(added.name(), new ModelSpec(added.model(), added.seed()), Challenger.Mode.parse(added.mode()),
                    added.share(), new Challenger.Promotion(added.promoteAfter(), added.promoteBelow()), seq, schema,
                    definition.abstention());
        } else if (record instanceof LogRecord.ChallengerRemoved removed) {
            challengers.remove(removed.name());
        } else if (record instanceof LogRecord.Promotion promotion) {
            model = challengers.remove(promotion.challenger()).model();
            serving.championChanged(seq, promotion.challenger());
            state = null;
            challengers.restartComparisons(schema.numClasses());
            serving.timeline().mark(model.learner().learned(), promotion.timeMillis(), "promotion", promotion.challenger());
        }
        version = seq;
        sinceSnapshot++;
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

    private void measure(Prediction given, int truth, long timeMillis) {
        serving.measure(given, truth, model.learner().learned(), timeMillis);
    }

    private void advance(LogRecord.Source source) {
        if (source != null) {
            positions.advance(source);
        }
    }

    /** Records the learned labels on their stored events, in one RocksDB batch. */
    private void markLabelled() {
        try {
            pending.labelled(marks);
        } catch (RocksDBException e) {
            System.err.println("vigie: cannot mark " + marks.size() + " events labelled: " + e.getMessage());
        }
        marks.clear();
    }

    /**
     * Runs a learning step and returns the answer it learned from, or null if the learner threw.
     * A learner that throws on a logged event would throw again at replay, so the event is counted
     * and skipped, the same way both times, rather than stopping the model.
     */
    private Prediction learn(Supplier<Prediction> step) {
        try {
            Prediction learnedFrom = step.get();
            meters.learned();
            return learnedFrom;
        } catch (RuntimeException e) {
            meters.learnFailed();
            System.err.println("vigie: model '" + definition.name() + "' could not learn an event: " + e);
            return null;
        }
    }

    private void publish() {
        if (!challengers.isEmpty() || challengerGauges) {
            java.util.Map<String, ModelMeters.ChallengerFigures> figures = new java.util.HashMap<>();
            for (Challenger c : challengers.list()) {
                Comparison k = c.comparison();
                figures.put(c.name(), new ModelMeters.ChallengerFigures(c.model().learner().learned(), k.events(),
                        k.challenger().cumulative().accuracy(), k.champion().cumulative().accuracy()));
            }
            meters.challengers(figures);
            challengerGauges = !figures.isEmpty();
        }
        ServingMetrics metrics = serving.metrics();
        ServingMetrics.Rates all = metrics.allRates();
        long resets = model.learner() instanceof Ensemble ensemble ? ensemble.resets().size() : 0;
        meters.publish(new ModelMeters.Published(version, model.learner().learned(), pending.count(PendingEvents.Counter.PENDING),
                metrics.cumulative().accuracy(), metrics.windowed().accuracy(), metrics.cumulative().kappa(),
                all.coverage(), metrics.recentRates().coverage(), all.abstentionRate(), resets));
    }

    // ---- snapshots --------------------------------------------------------------------------

    private record EncodedSnapshot(long version, byte[] bytes, SnapshotProvenance provenance, String reason) {
    }

    /** Serializes the model on the writer thread (it must not change meanwhile); the disk work is left to the caller. */
    private EncodedSnapshot encodeSnapshot(String reason) {
        long started = System.nanoTime();
        SnapshotProvenance provenance = Snapshots.provenance(model, Map.of(
                Versions.VERSION, Long.toString(version),
                Versions.LOG_OFFSET, Long.toString(log.size()),
                Versions.REASON, reason,
                Versions.SOURCE_POSITIONS, positions.encode(),
                "model.name", definition.name()), clock);
        byte[] bytes = Snapshots.encode(model, serving, provenance);
        meters.snapshot.record(System.nanoTime() - started, TimeUnit.NANOSECONDS);
        sinceSnapshot = 0;
        return new EncodedSnapshot(version, bytes, provenance, reason);
    }

    private Versions.Version writeSnapshot(EncodedSnapshot snapshot) {
        long started = System.nanoTime();
        try {
            return versions.save(snapshot.version(), snapshot.bytes(), snapshot.provenance().learned(),
                    snapshot.provenance().createdAt().toEpochMilli(), snapshot.reason());
        } catch (RuntimeException e) {
            System.err.println("vigie: snapshot of '" + definition.name() + "' at version " + snapshot.version()
                    + " failed: " + e.getMessage());
            throw e;
        } finally {
            meters.snapshot.record(System.nanoTime() - started, TimeUnit.NANOSECONDS);
            snapshotInFlight = false;
        }
    }

    // ---- shutdown -----------------------------------------------------------------------------

    /**
     * Stops taking tasks, finishes those queued (their labels are logged and learned), writes a
     * snapshot if anything was learned since the last one, so the next start replays little,
     * and closes the log.
     */
    @Override
    public void close() {
        stop(true);
    }

    /** Stops without the closing snapshot (the model is being deleted). */
    public void discard() {
        stop(false);
        meters.remove();
    }

    private void stop(boolean snapshot) {
        accepting = false;
        try {
            queue.put(new Task(false, null, null));
            thread.join();
            snapshotIo.shutdown();
            snapshotIo.awaitTermination(1, TimeUnit.MINUTES);
            if (snapshot && sinceSnapshot > 0 && !versions.contains(version)) {
                writeSnapshot(encodeSnapshot("shutdown"));
            }
            log.close();
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        } catch (IOException | SnapshotException e) {
            System.err.println("vigie: closing model '" + definition.name() + "': " + e.getMessage());
        }
    }
}
