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
import java.util.concurrent.TimeUnit;
import java.util.function.Consumer;
import java.util.function.LongConsumer;

/**
 * The records a writer's batch produced, logged together: one write and one fsync for all of
 * them, then each is applied in log order and its caller told its sequence number; or, when the
 * disk is below its reserve or the write fails, none is applied and every caller is told why.
 * Answers wait until then ({@link #answer}), so nothing is acknowledged before it is durable.
 */
final class GroupCommit {
    /** Applies a logged record to the model: {@link ModelStateMachine#apply}, plus what the writer counts. */
    interface Applier {
        void apply(long seq, LogRecord record, Model preloaded);
    }

    private record Staged(LogRecord record, Model preloaded, LongConsumer applied, Consumer<ApiProblem> failed) {
    }

    private final EventLog log;
    private final DiskGuard disk;
    private final Timer appendTimer;
    private final List<Staged> staged = new ArrayList<>();
    private final Set<String> stagedLabels = new HashSet<>();
    private final List<Runnable> answers = new ArrayList<>();

    GroupCommit(EventLog log, DiskGuard disk, Timer appendTimer) {
        this.log = log;
        this.disk = disk;
        this.appendTimer = appendTimer;
    }

    /**
     * Adds a record to the next commit: {@code applied} hears its sequence number once it is
     * logged and applied, {@code failed} why it was not logged. {@code preloaded} is a rollback's
     * model, read beforehand.
     */
    void stage(LogRecord record, Model preloaded, LongConsumer applied, Consumer<ApiProblem> failed) {
        staged.add(new Staged(record, preloaded, applied, failed));
        if (record instanceof LogRecord.Label label) {
            stagedLabels.add(label.id());
        }
    }

    /** Whether the next commit already holds a label of this event id. */
    boolean holdsLabelOf(String id) {
        return stagedLabels.contains(id);
    }

    /** Runs once the next commit is logged and applied (or refused): where a batch's caller gets its answer. */
    void whenCommitted(Runnable answer) {
        answers.add(answer);
    }

    /** Logs what was staged with one fsync and applies it in log order; a refused commit applies nothing. */
    void commit(Applier applier) {
        if (staged.isEmpty()) {
            return;
        }
        long first = append();
        if (first >= 0) {
            for (int i = 0; i < staged.size(); i++) {
                Staged s = staged.get(i);
                applier.apply(first + i, s.record(), s.preloaded());
                s.applied().accept(first + i);
            }
        }
        staged.clear();
        stagedLabels.clear();
    }

    /** Completes the answers waiting for the commit. */
    void answer() {
        answers.forEach(Runnable::run);
        answers.clear();
    }

    /** Appends the staged records; their first sequence number, or -1 after telling each caller why not. */
    private long append() {
        ApiProblem full = disk.problem();
        if (full != null) {
            staged.forEach(s -> s.failed().accept(full));
            return -1;
        }
        long started = System.nanoTime();
        try {
            long first = log.append(staged.stream().map(Staged::record).toList());
            appendTimer.record(System.nanoTime() - started, TimeUnit.NANOSECONDS);
            return first;
        } catch (IOException e) {
            ApiProblem problem = ApiProblem.unavailable("log-write-failed",
                    "the log could not be written (" + e.getMessage() + "); nothing was learned, retry later", 5);
            staged.forEach(s -> s.failed().accept(problem));
            return -1;
        }
    }

    /** The log's size: where a snapshot of the state after the last commit starts replay. */
    long logSize() {
        return log.size();
    }
}
