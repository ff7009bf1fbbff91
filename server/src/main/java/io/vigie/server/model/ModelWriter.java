package io.vigie.server.model;

import io.micrometer.core.instrument.MeterRegistry;
import io.vigie.learner.Model;
import io.vigie.learner.ModelSpec;
import io.vigie.learner.Snapshot;
import io.vigie.learner.SnapshotException;
import io.vigie.learner.monitor.InputDriftMonitor;
import io.vigie.server.ApiProblem;
import io.vigie.server.store.DiskGuard;
import io.vigie.server.store.EventLog;
import io.vigie.server.store.LogRecord;
import io.vigie.server.store.PendingEvents;
import io.vigie.server.store.ScoredEvent;
import io.vigie.server.store.Versions;
import org.rocksdb.RocksDBException;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Clock;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.CompletableFuture;
import java.util.function.BiConsumer;
import java.util.function.Consumer;
import java.util.function.Function;

/**
 * A model's writer: the one thread that owns it ({@link WriterLoop}), fed tasks in two lanes.
 * Predictions and reads are served first; labels, labelled events, snapshots and rollbacks are
 * run in batches whose records are learned one at a time between predictions. Callers get futures
 * and never touch the model.
 *
 * <p>The work is split by concern: the {@link ModelStateMachine} holds the model and applies log
 * records (no I/O); {@link EventScorer} scores events and stores them until their labels come;
 * {@link LabelJoin} joins labels to them; {@link GroupCommit} logs the records of a batch with one
 * fsync before they are applied and answered; {@link SnapshotSchedule} decides when versions are written, and
 * encodes them on its own thread while the model is frozen and predictions go on (for learners
 * whose predictions change nothing, which every preset's do). This class joins them to the
 * pending-event store, and closes.
 */
public final class ModelWriter implements AutoCloseable, WriterLoop.Work {
    private static final Logger LOG = LoggerFactory.getLogger(ModelWriter.class);
    /** Learned labels recorded on their stored events in one RocksDB batch during a long replay. */
    private static final int REPLAY_MARK_BATCH = 10_000;
    /** Implied labels staged in one batch at most (as many as a labels request may hold). */
    private static final int IMPLIED_BATCH = 1_000;

    private final ModelDefinition definition;
    private final PendingEvents pending;
    private final Clock clock;
    private final WriterSettings settings;
    private final ModelMeters meters;
    /** Told of each category the schema does not list (scored as missing, counted); null where the model refuses them. */
    private final java.util.function.IntConsumer unknownCategories;
    private final BiConsumer<String, Promoted> automaticPromotions;
    private final DiskGuard disk;
    private final ModelStateMachine machine;
    private final SnapshotSchedule snapshots;
    private final EventLog log;
    private final GroupCommit commit;
    private final LabelJoin join;
    private final Recovered recovered;
    private final WriterLoop loop;
    /** Scores and stores events; the run that serves single predictions queued back to back. */
    private final EventScorer scorer;
    private final FrozenWork frozen;
    private final AggregateFeatures aggregates;
    /** The cluster's log this model's commits are published to, once there is one (null on a single instance). */
    private final java.util.function.Supplier<ReplicatedLog> replicated;
    /**
     * Why the model wants a version of itself once the batch is done (a rollback or a promotion
     * just changed its champion), or null: published versions then follow such changes at once.
     */
    private String versionAfter;
    /** Whether a batch of implied labels is on its way (writer thread only). */
    private boolean implying;
    /**
     * The version of the cluster's snapshot this model was started from (0 if it was not): the
     * records up to it were never applied here, and when the cluster's log brings them, only the
     * labels they hold are marked on the stored events.
     */
    private final long seededAt;

    /** The file, in a model's folder, holding the version of the cluster's snapshot it was started from. */
    static final String SEEDED_AT = "seeded-at";

    /** Requests waiting in the writer (none before it starts), for /metrics. */
    private int queued() {
        return loop == null ? 0 : loop.queued();
    }

    private ModelWriter(ModelDefinition definition, Path dir, PendingEvents pending, Clock clock, WriterSettings settings,
                        MeterRegistry registry, BiConsumer<String, Promoted> automaticPromotions,
                        java.util.function.Supplier<ReplicatedLog> replicated) throws IOException {
        this.definition = definition;
        this.replicated = replicated;
        Path seed = dir.resolve(SEEDED_AT);
        this.seededAt = Files.exists(seed) ? Long.parseLong(Files.readString(seed).trim()) : 0;
        this.automaticPromotions = automaticPromotions;
        this.pending = pending;
        this.clock = clock;
        this.settings = settings;
        this.meters = new ModelMeters(registry, definition.name(), InputDriftMonitor.channelNames(definition.schema()),
                this::queued, settings.queueCapacity(), definition.abstention().targetCoverage(),
                definition.alertClass());
        this.unknownCategories = definition.unknownValues() == ModelDefinition.UnknownValues.REJECT ? null
                : meters.unknownValues(definition.schema());
        this.disk = new DiskGuard(dir, settings.minFreeBytes(), settings.diskCheckMillis());
        this.aggregates = new AggregateFeatures(definition); // before recovery: replayed labels mark the histories
        long started = System.nanoTime();
        Versions versions = new Versions(dir.resolve("versions"));
        this.snapshots = new SnapshotSchedule(definition.name(), versions, disk, settings.snapshotEvery(), settings.retention(),
                clock, meters.snapshot, this::rollbackTargets, this::deleteLogBefore);
        Snapshot latest;
        Versions.Latest readable;
        try {
            readable = versions.latestReadable();
            latest = readable.snapshot();
            this.machine = new ModelStateMachine(definition, latest, version -> versionToReplay(versions, version), meters);
            long offset = latest == null ? 0 : Long.parseLong(latest.provenance().attributes().get(Versions.LOG_OFFSET));
            this.log = EventLog.open(dir, settings.logSegmentBytes(), offset, machine.version(), (seq, record, end) -> {
                apply(seq, record, null);
                if (machine.labelledWaiting() >= REPLAY_MARK_BATCH) {
                    markLabelled();
                }
            });
            markLabelled();
            versionAfter = null; // replayed changes have their versions already, or are behind the snapshot
        } catch (Throwable e) { // whatever recovery threw, the model leaves nothing running or registered behind
            snapshots.abandon();
            meters.remove();
            throw e;
        }
        this.loop = new WriterLoop(definition.name(), settings.queueCapacity(), settings.maxDrain(), this);
        this.commit = new GroupCommit(definition.name(), log, this::publish, disk, meters.logAppend, loop::wake);
        this.join = new LabelJoin(definition.name(), machine, commit, pending, meters, clock);
        this.scorer = new EventScorer(definition, machine, pending, aggregates, disk, clock, settings, meters, replicated, this::implyDue);
        long replayed = log.recovery().replayed();
        recovered = new Recovered(latest == null ? null : machine.version() - replayed, readable.unreadable(), replayed,
                log.recovery().tornBytes(), (System.nanoTime() - started) / 1_000_000);
        publish();
        this.frozen = new FrozenWork(machine, snapshots, loop::wake);
    }

    /**
     * Opens a model: its latest readable snapshot, then the log after it. A model with no
     * snapshot yet gets version 0 written first, so there is always a version to roll back to.
     * {@code automaticPromotions} hears of promotions a challenger's policy made (by model name).
     */
    public static ModelWriter open(ModelDefinition definition, Path dir, PendingEvents pending, Clock clock,
                                   WriterSettings settings, MeterRegistry registry,
                                   BiConsumer<String, Promoted> automaticPromotions) throws IOException {
        return open(definition, dir, pending, clock, settings, registry, automaticPromotions, () -> null);
    }

    /** As above, in a cluster: {@code replicated} gives the cluster's log once this instance has joined it. */
    public static ModelWriter open(ModelDefinition definition, Path dir, PendingEvents pending, Clock clock,
                                   WriterSettings settings, MeterRegistry registry,
                                   BiConsumer<String, Promoted> automaticPromotions,
                                   java.util.function.Supplier<ReplicatedLog> replicated) throws IOException {
        ModelWriter writer = new ModelWriter(definition, dir, pending, clock, settings, registry, automaticPromotions, replicated);
        if (writer.snapshots.versions().list().isEmpty()) {
            writer.snapshots.write(writer.snapshots.encode(writer.machine, writer.log.size(), "initial"));
        }
        writer.machine.stateMeasured(writer.machine.model().learner().state()); // before it serves: no read waits for it
        writer.loop.start();
        return writer;
    }

    /** What reads this model's events passes a category its schema does not list to (null: it is a 422). */
    public java.util.function.IntConsumer unknownCategories() {
        return unknownCategories;
    }

    public ModelDefinition definition() {
        return definition;
    }

    /** How the model came back when it was opened. */
    public Recovered recovered() {
        return recovered;
    }

    // ---- scoring --------------------------------------------------------------------------------

    /**
     * Scores an event and stores it until its label arrives; with {@code explain}, also says why,
     * from the model that answered. An id already stored is handled as {@code known} says.
     * Single predictions queued back to back are scored as one run ({@link EventScorer}).
     */
    public CompletableFuture<Scored> predict(ScoreRequest request, boolean explain, KnownIds known) {
        return loop.fastInRun(new EventScorer.Single(request, explain, known), scorer);
    }

    /** Scores events in order, in one hand-off; ids already stored are handled as {@code known} says. */
    public CompletableFuture<List<Scored>> predictAll(List<ScoreRequest> requests, KnownIds known) {
        return loop.fast(future -> scorer.scoreAll(requests, known, future));
    }

    // ---- learning -------------------------------------------------------------------------------

    /** Joins labels to their scored events and learns them; completes once they are logged and learned. */
    public CompletableFuture<List<ItemResult>> label(List<LabelRequest> labels) {
        return loop.slow(false, future -> join.labels(labels, future));
    }

    /** Learns labelled events never scored (each is scored first, test-then-train). */
    public CompletableFuture<List<ItemResult>> learn(List<EventRequest> events) {
        return loop.slow(false, future -> join.events(events, future));
    }

    /**
     * Applies records the model's owner published, in a cluster, to this instance's copy: those it
     * holds already are skipped, and a gap before them is refused ({@link MissingRecordsException}).
     * Completes with the sequence number of the last record it holds.
     */
    public CompletableFuture<Long> follow(long firstSeq, List<LogRecord> records) {
        return loop.slow(false, future -> {
            long next = commit.nextSeq();
            if (firstSeq > next) {
                future.completeExceptionally(new MissingRecordsException("model '" + definition.name() + "' holds its log up to record "
                        + (next - 1) + " but the owner's log goes on from " + firstSeq + ": records are missing"));
                return;
            }
            int skip = (int) Math.min(records.size(), next - firstSeq);
            if (firstSeq <= seededAt) {
                markOnly(records.subList(0, (int) Math.min(skip, seededAt - firstSeq + 1)));
            }
            if (skip == records.size()) {
                future.complete(next - 1);
                return;
            }
            for (int i = skip; i < records.size(); i++) {
                boolean last = i == records.size() - 1;
                commit.stageFollowed(records.get(i), seq -> {
                    if (last) {
                        future.complete(seq);
                    }
                }, future::completeExceptionally);
            }
        });
    }

    /**
     * Stores events its owner scored, in a cluster, in this instance's copy of the pending events,
     * with the entities' histories their scoring changed, once the records followed before them are
     * applied: a label that comes after the model moves here finds its event, and the entity's next
     * event sees its window.
     */
    public CompletableFuture<Void> followScored(List<PendingEvents.Scoring> scorings, Map<String, double[]> histories) {
        return loop.slow(true, future -> {
            try {
                pending.scored(scorings, pending.getAll(scorings.stream().map(PendingEvents.Scoring::id).toList()), histories);
            } catch (RocksDBException e) {
                throw ApiProblem.unavailable("store-failed", "the pending-event store refused the owner's scored events ("
                        + e.getMessage() + ")", 5);
            }
            future.complete(null);
        });
    }

    /** Whether this instance writes the model's log (always, but for a model another instance of its cluster owns). */
    private boolean leads() {
        ReplicatedLog cluster = replicated.get();
        return cluster == null || cluster.leads(definition.name());
    }

    /**
     * The model of a version a logged rollback restores, to replay it: this copy's own, or, in a
     * cluster, its owner's from the cluster when this copy never took it (a version taken by hand on
     * the owner), kept here from then on.
     */
    private Model versionToReplay(Versions versions, long version) {
        ReplicatedLog cluster = replicated.get();
        if (!versions.contains(version) && cluster != null) {
            byte[] owners = cluster.version(definition, version);
            if (owners != null) {
                versions.adopt(owners);
            }
        }
        return versions.load(version).model();
    }

    /** Publishes a commit's records to the cluster's log, if there is one, before they are logged here. */
    private void publish(long firstSeq, List<LogRecord> records) {
        ReplicatedLog cluster = replicated.get();
        if (cluster != null) {
            cluster.publish(definition, firstSeq, records);
        }
    }

    /**
     * Once the model's clock has passed the end of an event's implicit-label period, a batch of
     * implied labels goes into the slow lane, one batch at a time; each is logged and learned like
     * labels, so that replay learns them in the same order.
     */
    private void implyDue() {
        ModelDefinition.ImplicitLabel implicit = definition.implicitLabel();
        if (implicit == null || implying || machine.clock() < pending.nextDue() || !leads()) { // a follower learns its owner's
            return;
        }
        implying = true;
        loop.<Integer>slow(false, future -> join.implied(implicit, IMPLIED_BATCH, future)).whenComplete((n, failure) -> {
            implying = false;
            if (failure != null) {
                LOG.warn("model '{}': implied labels could not be staged: {}", definition.name(), failure.toString());
            }
        });
    }

    // ---- versions and challengers -----------------------------------------------------------------

    /** Snapshots the model now; completes with the version once the file is on disk. */
    public CompletableFuture<Versions.Version> snapshot() {
        return loop.slow(true, future -> {
            Versions.Version existing = snapshots.versions().get(machine.version());
            if (existing != null && !VersionRetention.scheduled(existing.reason())) {
                // kept already; one the schedule took is written again as asked for by hand, so that it stays
                future.complete(existing);
                return;
            }
            disk.check();
            frozen.snapshot("manual", commit.logSize()).whenComplete((version, failure) -> {
                if (failure != null) {
                    future.completeExceptionally(failure);
                } else {
                    future.complete(version);
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
        ReplicatedLog cluster = replicated.get();
        if (!snapshots.versions().contains(target)) {
            ApiProblem unknown = ApiProblem.notFound("unknown-version", "model '" + definition.name() + "' has no version " + target
                    + "; see GET /v1/models/" + definition.name() + "/versions");
            if (cluster == null) {
                return CompletableFuture.failedFuture(unknown);
            }
            // kept by the model's former owner, perhaps: the cluster holds the versions its owners kept
            return snapshots.onThread(() -> {
                byte[] kept;
                try {
                    kept = cluster.version(definition, target);
                } catch (RuntimeException e) {
                    throw ApiProblem.unavailable("cluster-log-unavailable", "the cluster's versions of model '" + definition.name()
                            + "' cannot be read now (" + e.getMessage() + "); nothing was rolled back, retry later", 5);
                }
                if (kept == null) {
                    throw unknown;
                }
                snapshots.versions().adopt(kept);
                return target;
            }).thenCompose(this::rollback);
        }
        return snapshots.load(target).thenApply(snapshot -> {
                    if (cluster != null) { // in the cluster before the rollback is: the other instances replay it with it
                        cluster.keepVersion(definition, target, snapshots.bytes(target));
                    }
                    return snapshot;
                })
                .thenCompose(snapshot -> loop.<Long>slow(true, future -> commit.stage(new LogRecord.Rollback(target, clock.millis()),
                        snapshot.model(), future::complete, future::completeExceptionally)))
                .whenComplete((version, failure) -> snapshots.restored(target));
    }

    /** Deletes a version's snapshot; the newest version and the rollbacks' targets cannot be deleted (409). */
    public CompletableFuture<Void> deleteVersion(long version) {
        return snapshots.delete(version);
    }

    /**
     * Adds a challenger; completes with the version of its record. It must not exist yet, and
     * canaries together answer at most every request.
     */
    public CompletableFuture<Long> addChallenger(String name, ModelSpec spec, Challenger.Mode mode, double share,
                                                 Challenger.Promotion policy) {
        return loop.slow(true, future -> {
            machine.checkNewChallenger(name, mode, share);
            commit.stage(new LogRecord.ChallengerAdded(name, spec.model(), spec.seed(), mode.code(), share, policy.afterEvents(),
                    policy.belowPValue(), clock.millis()), null, future::complete, future::completeExceptionally);
        });
    }

    /** Drops a challenger; completes with the version of its record. */
    public CompletableFuture<Long> removeChallenger(String name) {
        return loop.slow(true, future -> {
            machine.requireChallenger(name);
            commit.stage(new LogRecord.ChallengerRemoved(name, clock.millis()), null, future::complete, future::completeExceptionally);
        });
    }

    /**
     * Makes a challenger the champion, between two requests. The champion is first kept as a
     * version (a snapshot written now if the current version has none) to roll back to; the
     * promotion is then logged and applied.
     */
    public CompletableFuture<Promoted> promote(String name) {
        return loop.slow(true, future -> {
            machine.requireChallenger(name);
            stagePromotion(name, future::complete, future::completeExceptionally);
        });
    }

    /** On the writer thread, with nothing staged: keeps the champion as a version, then stages the promotion. */
    private void stagePromotion(String name, Consumer<Promoted> promoted, Consumer<ApiProblem> failed) {
        long former = machine.version();
        snapshots.keepBeforePromotion(machine, commit.logSize());
        commit.stage(new LogRecord.Promotion(name, clock.millis()), null, seq -> promoted.accept(new Promoted(name, former, seq)),
                failed);
    }

    /**
     * Promotes a challenger whose automatic policy says it won, after a batch: the promotion is a
     * logged record like any other, so replay follows the log rather than deciding again.
     */
    private void promoteWinner() {
        Challenger winner = machine.winner();
        if (winner == null || !leads()) { // a follower's promotions are its owner's, in the log
            return;
        }
        try {
            stagePromotion(winner.name(), p -> automaticPromotions.accept(definition.name(), p),
                    problem -> LOG.error("automatic promotion of '{}' failed: {}", winner.name(), problem.getMessage()));
            commit();
            publish();
        } catch (ApiProblem problem) {
            LOG.error("automatic promotion of '{}' failed: {}", winner.name(), problem.getMessage());
        }
    }

    // ---- reads ------------------------------------------------------------------------------------

    /** Runs a read of the model's state on its thread: everything acknowledged before is visible. */
    public <T> CompletableFuture<T> read(Function<ModelView, T> reader) {
        return loop.fast(future -> {
            future.complete(reader.apply(new ModelView(definition, machine.model(), machine.serving(), machine.challengers(),
                    machine.version(), recovered, pending, frozen::state, snapshots.versions()::list)));
        });
    }

    /** The stored scoring of an id with its label if known, or null. Safe from any thread. */
    public ScoredEvent storedEvent(String id) {
        return join.storedEvent(id);
    }

    /** A version's snapshot bytes, as written. Safe from any thread. */
    public byte[] snapshotBytes(long version) {
        return snapshots.bytes(version);
    }

    private Set<Long> rollbackTargets() {
        return machine.rollbackTargets();
    }

    /** Deletes the log's segments behind what recovery may replay, on the snapshot thread. */
    private void deleteLogBefore(long offset) {
        try {
            long freed = log.deleteBefore(offset);
            if (freed > 0) {
                LOG.info("model '{}': {} bytes of log behind the versions kept deleted; the log starts at byte {}",
                        definition.name(), freed, log.start());
            }
        } catch (IOException e) {
            LOG.warn("model '{}': log segments behind byte {} could not be deleted: {}", definition.name(), offset, e.getMessage());
        }
    }

    /** A version, or null if it has no snapshot. Safe from any thread. */
    public Versions.Version snapshotVersion(long version) {
        return snapshots.versions().get(version);
    }

    /** The model's versions, oldest first. */
    public List<Versions.Version> versions() {
        return snapshots.versions().list();
    }

    // ---- the writer's work, driven by its loop ---------------------------------------------------------

    @Override
    public boolean learning() {
        return commit.applying();
    }

    @Override
    public void learnOne() {
        if (!commit.applyNext(this::apply)) {
            batchDone();
        }
    }

    @Override
    public void batchStaged() {
        if (!commit.append()) {
            batchDone(); // nothing to log (every item refused): answer now
        }
    }

    /** Everything a batch logged is learned: its labels are marked, its callers answered, then a promotion or snapshot may follow. */
    private void batchDone() {
        markLabelled();
        commit.answer();
        publish();
        implyDue();
        if (!frozen.frozen()) {
            promoteWinner();
            if (versionAfter != null) {
                frozen.snapshot(versionAfter, commit.logSize());
                versionAfter = null;
            } else if (snapshots.due()) {
                frozen.snapshot("periodic", commit.logSize());
            }
        }
    }

    /** Logs and applies what is staged, at once: for a promotion the policy decided (rare). */
    private void commit() {
        commit.commit(this::apply);
        markLabelled();
        commit.answer();
    }

    @Override
    public boolean waiting() {
        return frozen.frozen() || commit.appending();
    }

    @Override
    public void pickUp() {
        frozen.thawIfDone();
        if (commit.collect() == GroupCommit.Collected.REFUSED) {
            batchDone(); // the log refused the batch: its callers were told why
        }
    }

    /** Applies a logged record: the same path at run time and at replay. */
    private void apply(long seq, LogRecord record, Model preloaded) {
        machine.apply(seq, record, preloaded);
        snapshots.applied();
        if (record instanceof LogRecord.Rollback) {
            versionAfter = "rollback";
        } else if (record instanceof LogRecord.Promotion) {
            versionAfter = "promotion";
        }
    }

    /** Records the learned labels on their stored events, and stores the labelled events learned, in RocksDB batches. */
    private void markLabelled() {
        mark(machine.takeLabelled(), machine.takeLearned());
    }

    /**
     * Marks the labels of records the cluster's snapshot this model started from had learned: the
     * events they label were stored here from the cluster's log, unlabelled, so that a label sent
     * again is refused and no label is implied for them.
     */
    private void markOnly(List<LogRecord> learnedElsewhere) {
        List<PendingEvents.Labelled> marks = new ArrayList<>();
        for (LogRecord record : learnedElsewhere) {
            if (record instanceof LogRecord.Label l) {
                marks.add(new PendingEvents.Labelled(l.id(), l.event(), l.label(), l.time(), false));
            } else if (record instanceof LogRecord.ImpliedLabel i) {
                marks.add(new PendingEvents.Labelled(i.id(), i.event(), i.label(), i.time(), true));
            }
        }
        mark(marks, List.of());
    }

    private void mark(List<PendingEvents.Labelled> marks, List<PendingEvents.Scoring> learned) {
        try {
            Map<String, double[]> histories = Map.of();
            if (aggregates.any() && !marks.isEmpty()) { // fraud rates count the events learned positive
                histories = pending.histories(aggregates.historiesNeededBy(marks));
                aggregates.labelled(marks, histories);
            }
            pending.labelled(marks, histories);
            pending.learned(learned);
        } catch (RocksDBException e) {
            LOG.error("model '{}': cannot mark {} events labelled: {}", definition.name(), marks.size() + learned.size(), e.getMessage());
        }
    }

    private void publish() {
        meters.challengers(machine.challengerFigures());
        meters.publish(machine.figures(pending.count(PendingEvents.Counter.PENDING)));
    }

    // ---- shutdown -------------------------------------------------------------------------------------

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
        try {
            loop.stop();
            commit.close();
            snapshots.close(machine, log.size(), snapshot);
            log.close();
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        } catch (IOException | SnapshotException e) {
            LOG.error("closing model '{}': {}", definition.name(), e.getMessage());
        }
    }
}
