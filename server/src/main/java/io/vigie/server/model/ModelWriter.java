package io.vigie.server.model;

import com.yahoo.labs.samoa.instances.Instance;
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
import java.nio.file.Path;
import java.time.Clock;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.ArrayBlockingQueue;
import java.util.concurrent.BlockingQueue;
import java.util.concurrent.CompletableFuture;
import java.util.function.BiConsumer;
import java.util.function.Consumer;
import java.util.function.Function;

/**
 * The one thread that owns a model. Predictions, labels, labelled events, snapshots and rollbacks
 * are tasks on its queue, run in order; callers get futures and never touch the model.
 *
 * <p>The work is split by concern: the {@link ModelStateMachine} holds the model and applies log
 * records (no I/O); {@link GroupCommit} logs the records of a batch with one fsync before they
 * are applied and answered; {@link SnapshotSchedule} decides when versions are written. This class
 * is the queue and its thread, the barriers between batches, the pending-event store, and close.
 *
 * <p>A full queue is back-pressure: the request is refused with 429 and Retry-After rather than
 * queued without bound.
 */
public final class ModelWriter implements AutoCloseable {
    private static final Logger LOG = LoggerFactory.getLogger(ModelWriter.class);
    /** Learned labels recorded on their stored events in one RocksDB batch during a long replay. */
    private static final int REPLAY_MARK_BATCH = 10_000;

    /** A task on the queue; a barrier runs after everything before it is committed, a null {@code work} stops the thread. */
    private record Task(boolean barrier, Runnable work, CompletableFuture<?> future) {
    }

    private final ModelDefinition definition;
    private final PendingEvents pending;
    private final Clock clock;
    private final WriterSettings settings;
    private final ModelMeters meters;
    private final BiConsumer<String, Promoted> automaticPromotions;
    private final BlockingQueue<Task> queue;
    private final DiskGuard disk;
    private final ModelStateMachine machine;
    private final SnapshotSchedule snapshots;
    private final EventLog log;
    private final GroupCommit commit;
    private final LabelJoin join;
    private final Recovered recovered;
    private final Thread thread;
    private volatile boolean accepting = true;

    private ModelWriter(ModelDefinition definition, Path dir, PendingEvents pending, Clock clock, WriterSettings settings,
                        MeterRegistry registry, BiConsumer<String, Promoted> automaticPromotions) throws IOException {
        this.definition = definition;
        this.automaticPromotions = automaticPromotions;
        this.pending = pending;
        this.clock = clock;
        this.settings = settings;
        this.meters = new ModelMeters(registry, definition.name(), InputDriftMonitor.channelNames(definition.schema()));
        this.queue = new ArrayBlockingQueue<>(settings.queueCapacity());
        this.disk = new DiskGuard(dir, settings.minFreeBytes(), settings.diskCheckMillis());
        long started = System.nanoTime();
        Versions versions = new Versions(dir.resolve("versions"));
        this.snapshots = new SnapshotSchedule(definition.name(), versions, disk, settings.snapshotEvery(), clock, meters.snapshot,
                version -> { });
        Snapshot latest;
        Versions.Latest readable;
        try {
            readable = versions.latestReadable();
            latest = readable.snapshot();
            this.machine = new ModelStateMachine(definition, latest, version -> versions.load(version).model(), meters);
            long offset = latest == null ? 0 : Long.parseLong(latest.provenance().attributes().get(Versions.LOG_OFFSET));
            this.log = EventLog.open(dir.resolve("events.log"), offset, machine.version(), (seq, record, end) -> {
                apply(seq, record, null);
                if (machine.labelledWaiting() >= REPLAY_MARK_BATCH) {
                    markLabelled();
                }
            });
            markLabelled();
        } catch (Throwable e) { // whatever recovery threw, the model leaves nothing running or registered behind
            snapshots.abandon();
            meters.remove();
            throw e;
        }
        this.commit = new GroupCommit(log, disk, meters.logAppend);
        this.join = new LabelJoin(definition.name(), machine, commit, pending, meters, clock);
        long replayed = log.recovery().replayed();
        recovered = new Recovered(latest == null ? null : machine.version() - replayed, readable.unreadable(), replayed,
                log.recovery().tornBytes(), (System.nanoTime() - started) / 1_000_000);
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
                                   WriterSettings settings, MeterRegistry registry,
                                   BiConsumer<String, Promoted> automaticPromotions) throws IOException {
        ModelWriter writer = new ModelWriter(definition, dir, pending, clock, settings, registry, automaticPromotions);
        if (writer.snapshots.versions().list().isEmpty()) {
            writer.snapshots.write(writer.snapshots.encode(writer.machine, writer.log.size(), "initial"));
        }
        writer.thread.start();
        return writer;
    }

    public ModelDefinition definition() {
        return definition;
    }

    /** How the model came back when it was opened. */
    public Recovered recovered() {
        return recovered;
    }

    // ---- scoring --------------------------------------------------------------------------------

    /** Scores an event and stores it until its label arrives. */
    public CompletableFuture<Scored> predict(String id, Instance unlabelled) {
        return predict(id, unlabelled, false);
    }

    /** Scores an event and stores it; with {@code explain}, also says why, from the model that answered. */
    public CompletableFuture<Scored> predict(String id, Instance unlabelled, boolean explain) {
        return submit(false, future -> {
            Scored scored = scoreAll(List.of(id), List.of(unlabelled)).get(0);
            future.complete(explain ? machine.explain(scored, unlabelled) : scored);
        });
    }

    /** Scores events in order, in one hand-off. */
    public CompletableFuture<List<Scored>> predictAll(List<String> ids, List<Instance> unlabelled) {
        return submit(false, future -> future.complete(scoreAll(ids, unlabelled)));
    }

    /** Scores events and stores them, in one RocksDB read and write; a refused batch leaves no trace. */
    private List<Scored> scoreAll(List<String> ids, List<Instance> unlabelled) {
        disk.check(); // before anything is scored
        requirePendingRoom(ids.size());
        ModelStateMachine.Scores scores = machine.score(ids, unlabelled, clock.millis());
        try {
            pending.scored(scores.stored());
        } catch (RocksDBException e) {
            throw ApiProblem.unavailable("store-failed", "the pending-event store refused the write (" + e.getMessage()
                    + "); nothing was scored or stored, retry later", 5);
        }
        scores.answers().forEach(s -> meters.predicted(s.prediction()));
        return scores.answers();
    }

    /** The model's quota of stored events: past it, scoring (which stores) is a 507 that names the limit. */
    private void requirePendingRoom(int more) {
        long[] stored = pending.stored();
        if (stored[0] + more > settings.maxPendingEvents()) {
            throw ApiProblem.insufficientStorage("pending-quota", "model '" + definition.name() + "' keeps " + stored[0]
                    + " scored events waiting for labels, its limit (max_pending_events) is " + settings.maxPendingEvents()
                    + "; label them, let them expire (label_ttl), or raise the limit");
        }
        if (stored[1] > settings.maxPendingBytes()) {
            throw ApiProblem.insufficientStorage("pending-quota", "model '" + definition.name() + "' keeps " + stored[1]
                    + " bytes of scored events, its limit (max_pending_bytes) is " + settings.maxPendingBytes()
                    + "; label them, let them expire (label_ttl), or raise the limit");
        }
    }

    // ---- learning -------------------------------------------------------------------------------

    /** Joins labels to their scored events and learns them; completes once they are logged and learned. */
    public CompletableFuture<List<ItemResult>> label(List<LabelRequest> labels) {
        return submit(false, future -> join.labels(labels, future));
    }

    /** Learns labelled events never scored (each is scored first, test-then-train). */
    public CompletableFuture<List<ItemResult>> learn(List<EventRequest> events) {
        return submit(false, future -> join.events(events, future));
    }

    // ---- versions and challengers -----------------------------------------------------------------

    /** Snapshots the model now; completes with the version once the file is on disk. */
    public CompletableFuture<Versions.Version> snapshot() {
        return submit(true, future -> {
            Versions.Version existing = snapshots.versions().get(machine.version());
            if (existing != null) {
                future.complete(existing);
                return;
            }
            disk.check();
            snapshots.writeInBackground(snapshots.encode(machine, commit.logSize(), "manual")).whenComplete((version, failure) -> {
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
        if (!snapshots.versions().contains(target)) {
            return CompletableFuture.failedFuture(ApiProblem.notFound("unknown-version",
                    "model '" + definition.name() + "' has no version " + target + "; see GET /v1/models/"
                            + definition.name() + "/versions"));
        }
        return snapshots.load(target).thenCompose(snapshot -> this.<Long>submit(true, future -> commit.stage(new LogRecord.Rollback(target, clock.millis()),
                        snapshot.model(), future::complete, future::completeExceptionally)));
    }

    /**
     * Adds a challenger; completes with the version of its record. It must not exist yet, and
     * canaries together answer at most every request.
     */
    public CompletableFuture<Long> addChallenger(String name, ModelSpec spec, Challenger.Mode mode, double share,
                                                 Challenger.Promotion policy) {
        return submit(true, future -> {
            machine.checkNewChallenger(name, mode, share);
            commit.stage(new LogRecord.ChallengerAdded(name, spec.model(), spec.seed(), mode.code(), share, policy.afterEvents(),
                    policy.belowPValue(), clock.millis()), null, future::complete, future::completeExceptionally);
        });
    }

    /** Drops a challenger; completes with the version of its record. */
    public CompletableFuture<Long> removeChallenger(String name) {
        return submit(true, future -> {
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
        return submit(true, future -> {
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
        if (winner == null) {
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
        return submit(false, future -> {
            ServingState serving = machine.serving();
            future.complete(reader.apply(new ModelView(definition, machine.model(), serving.metrics(), serving.timeline(),
                    serving.inputs(), machine.challengers(), machine.version(), recovered, pending, machine::learnerState,
                    snapshots.versions()::list)));
        });
    }

    /** The stored scoring of an id with its label if known, or null. Safe from any thread. */
    public ScoredEvent storedEvent(String id) {
        return join.storedEvent(id);
    }

    /** A version's snapshot bytes, as written. Safe from any thread. */
    public byte[] snapshotBytes(long version) {
        return snapshots.versions().bytes(version);
    }

    /** The model's versions, oldest first. */
    public List<Versions.Version> versions() {
        return snapshots.versions().list();
    }

    // ---- the writer thread --------------------------------------------------------------------------

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
                    commit();
                    return;
                }
                if (task.barrier()) {
                    commit();
                }
                try {
                    task.work().run();
                } catch (ApiProblem problem) {
                    task.future().completeExceptionally(problem);
                } catch (RuntimeException | Error e) {
                    LOG.error("model '{}': a task failed", definition.name(), e);
                    task.future().completeExceptionally(e);
                }
            }
            commit();
            batch.clear();
            publish();
            promoteWinner();
            snapshots.afterBatch(machine, commit.logSize());
        }
    }

    /** Logs and applies what the batch staged, records its labels on their stored events, then answers. */
    private void commit() {
        commit.commit(this::apply);
        markLabelled();
        commit.answer();
    }

    /** Applies a logged record: the same path at run time and at replay. */
    private void apply(long seq, LogRecord record, Model preloaded) {
        machine.apply(seq, record, preloaded);
        snapshots.applied();
    }

    /** Records the learned labels on their stored events, in one RocksDB batch. */
    private void markLabelled() {
        List<PendingEvents.Labelled> marks = machine.takeLabelled();
        try {
            pending.labelled(marks);
        } catch (RocksDBException e) {
            LOG.error("model '{}': cannot mark {} events labelled: {}", definition.name(), marks.size(), e.getMessage());
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
        accepting = false;
        try {
            queue.put(new Task(false, null, null));
            thread.join();
            snapshots.close(machine, log.size(), snapshot);
            log.close();
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        } catch (IOException | SnapshotException e) {
            LOG.error("closing model '{}': {}", definition.name(), e.getMessage());
        }
    }
}
