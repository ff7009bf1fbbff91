package io.vigie.server.model;

import io.micrometer.core.instrument.Timer;
import io.vigie.learner.Model;
import io.vigie.server.ApiProblem;
import io.vigie.server.store.DiskGuard;
import io.vigie.server.store.EventLog;
import io.vigie.server.store.LogRecord;

import java.io.IOException;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Set;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.TimeUnit;
import java.util.function.Consumer;
import java.util.function.LongConsumer;

/**
 * The records a writer's batch produced, logged together: one write and one fsync for all of
 * them, on the log's own thread while the writer goes on serving predictions; then each is
 * applied in log order, one at a time so that the writer serves predictions between them, and its
 * caller told its sequence number. When the disk is below its reserve or the write fails, none is
 * applied and every caller is told why. Answers wait until then ({@link #answer}), so nothing is
 * acknowledged before it is durable and learned.
 *
 * <p>Writer thread only, but for the append itself, on the log thread, whose result the writer
 * picks up ({@link #collect}).
 */
final class GroupCommit {
    /** Applies a logged record to the model: {@link ModelStateMachine#apply}, plus what the writer counts. */
    interface Applier {
        void apply(long seq, LogRecord record, Model preloaded);
    }

    /** Publishes a commit's records beyond this instance before they are appended here ({@link ReplicatedLog}). */
    interface Publisher {
        void publish(long firstSeq, List<LogRecord> records);
    }

    /** What {@link #collect} found. */
    enum Collected {
        /** No append had finished. */
        NOTHING,
        /** The records are logged: to be applied. */
        LOGGED,
        /** The log refused them: every caller was told why, and nothing is to be applied. */
        REFUSED
    }

    private record Staged(LogRecord record, Model preloaded, LongConsumer applied, Consumer<ApiProblem> failed) {
    }

    /** An append's outcome: the first sequence number, or the problem. */
    private record Appended(long first, ApiProblem problem) {
    }

    private final EventLog log;
    private final Publisher publisher;
    /** Whether what is staged follows the model's owner (published already) rather than being this instance's own. */
    private boolean followed;
    private final DiskGuard disk;
    private final Timer appendTimer;
    private final Runnable appended;
    private final ExecutorService logThread;
    private final List<Staged> staged = new ArrayList<>();
    private final Set<String> stagedLabels = new HashSet<>();
    private final java.util.Map<String, LogRecord.ImpliedLabel> stagedImplied = new java.util.HashMap<>();
    private final List<Runnable> answers = new ArrayList<>();
    private boolean inFlight;
    private volatile Appended done;
    /** The sequence number of the first logged record still being applied, or -1 while nothing is. */
    private long first = -1;
    private int next;

    /** @param appended told (from the log thread) when an append is done, for the writer to {@link #collect} it */
    GroupCommit(String model, EventLog log, Publisher publisher, DiskGuard disk, Timer appendTimer, Runnable appended) {
        this.log = log;
        this.publisher = publisher;
        this.disk = disk;
        this.appendTimer = appendTimer;
        this.appended = appended;
        this.logThread = Executors.newSingleThreadExecutor(r -> {
            Thread t = new Thread(r, "vigie-log-" + model);
            t.setDaemon(true);
            return t;
        });
    }

    /**
     * Adds a record to the next commit: {@code applied} hears its sequence number once it is
     * logged and applied, {@code failed} why it was not logged. {@code preloaded} is a rollback's
     * model, read beforehand.
     */
    void stage(LogRecord record, Model preloaded, LongConsumer applied, Consumer<ApiProblem> failed) {
        stage(record, preloaded, applied, failed, false);
    }

    /** Adds a record the model's owner published to the next commit, which then holds only such records. */
    void stageFollowed(LogRecord record, LongConsumer applied, Consumer<ApiProblem> failed) {
        stage(record, null, applied, failed, true);
    }

    /** The sequence number the next record staged will get. */
    long nextSeq() {
        return log.nextSeq() + staged.size();
    }

    private void stage(LogRecord record, Model preloaded, LongConsumer applied, Consumer<ApiProblem> failed, boolean follows) {
        if (!staged.isEmpty() && followed != follows) { // only while a model changes hands
            throw ApiProblem.unavailable("model-moving", "the model is changing owner; retry shortly", 1);
        }
        followed = follows;
        staged.add(new Staged(record, preloaded, applied, failed));
        if (record instanceof LogRecord.Label label) {
            stagedLabels.add(label.id());
        } else if (record instanceof LogRecord.ImpliedLabel implied) {
            stagedImplied.put(implied.id(), implied);
        }
    }

    /** The implied label the next commit holds for an event id, or null: a label sent in the same commit confirms or corrects it. */
    LogRecord.ImpliedLabel impliedLabelOf(String id) {
        return stagedImplied.get(id);
    }

    /** Whether the next commit already holds a label (or a labelled event) of this event id. */
    boolean holdsLabelOf(String id) {
        return stagedLabels.contains(id);
    }

    /** The next commit holds a labelled event of this id: a second one in it is a duplicate. */
    void claim(String id) {
        stagedLabels.add(id);
    }

    /** Runs once the next commit is logged and applied (or refused): where a batch's caller gets its answer. */
    void whenCommitted(Runnable answer) {
        answers.add(answer);
    }

    /** Logs what was staged and applies all of it, here and now: for a promotion the policy decided (rare). */
    void commit(Applier applier) {
        if (staged.isEmpty() || inFlight || first >= 0) {
            return;
        }
        outcome(appendStaged());
        while (applyNext(applier)) {
            // one record at a time
        }
    }

    /** Starts logging what was staged, on the log thread; whether anything was staged. */
    boolean append() {
        if (staged.isEmpty() || inFlight || first >= 0) {
            return false;
        }
        inFlight = true;
        List<LogRecord> records = staged.stream().map(Staged::record).toList();
        boolean publish = !followed;
        logThread.execute(() -> {
            done = appendStaged(records, publish);
            appended.run();
        });
        return true;
    }

    /** Whether an append is under way on the log thread. */
    boolean appending() {
        return inFlight;
    }

    /** Picks up a finished append: the records are then to be applied, or were refused. */
    Collected collect() {
        Appended result = done;
        if (!inFlight || result == null) {
            return Collected.NOTHING;
        }
        done = null;
        inFlight = false;
        return outcome(result);
    }

    private Collected outcome(Appended result) {
        if (result.problem() != null) {
            staged.forEach(s -> s.failed().accept(result.problem()));
            clear();
            return Collected.REFUSED;
        }
        first = result.first();
        return Collected.LOGGED;
    }

    /** Whether logged records are still to be applied. */
    boolean applying() {
        return first >= 0;
    }

    /** Applies the next logged record; whether more remain. */
    boolean applyNext(Applier applier) {
        if (first < 0) {
            return false;
        }
        Staged s = staged.get(next);
        applier.apply(first + next, s.record(), s.preloaded());
        s.applied().accept(first + next);
        next++;
        if (next < staged.size()) {
            return true;
        }
        clear();
        return false;
    }

    private void clear() {
        staged.clear();
        followed = false;
        stagedLabels.clear();
        stagedImplied.clear();
        first = -1;
        next = 0;
    }

    /** Completes the answers waiting for the commit. */
    void answer() {
        answers.forEach(Runnable::run);
        answers.clear();
    }

    private Appended appendStaged() {
        return appendStaged(staged.stream().map(Staged::record).toList(), !followed);
    }

    /**
     * Appends records with one fsync (after checking the disk's reserve, and publishing them
     * first unless they follow the owner's): their first sequence number, or why not.
     */
    private Appended appendStaged(List<LogRecord> records, boolean publish) {
        ApiProblem full = disk.problem();
        if (full != null) {
            return new Appended(-1, full);
        }
        if (publish) {
            try {
                publisher.publish(log.nextSeq(), records);
            } catch (ApiProblem problem) {
                return new Appended(-1, problem);
            } catch (RuntimeException e) { // never leave the writer waiting on an append that will not come
                return new Appended(-1, ApiProblem.unavailable("cluster-log-unavailable", "the records could not be published to "
                        + "the cluster's log (" + e + "); nothing was learned, retry later", 5));
            }
        }
        long started = System.nanoTime();
        try {
            long seq = log.append(records);
            appendTimer.record(System.nanoTime() - started, TimeUnit.NANOSECONDS);
            return new Appended(seq, null);
        } catch (IOException e) {
            return new Appended(-1, ApiProblem.unavailable("log-write-failed",
                    "the log could not be written (" + e.getMessage() + "); nothing was learned, retry later", 5));
        }
    }

    /** The log's size: where a snapshot of the state after the last commit starts replay. */
    long logSize() {
        return log.size();
    }

    /** Stops the log thread once it has written what it was given. */
    void close() throws InterruptedException {
        logThread.shutdown();
        logThread.awaitTermination(1, TimeUnit.MINUTES);
    }
}
