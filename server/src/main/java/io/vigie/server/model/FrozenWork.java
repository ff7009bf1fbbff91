package io.vigie.server.model;

import io.vigie.learner.ModelState;
import io.vigie.server.store.Versions;

import java.util.concurrent.CompletableFuture;

/**
 * What is done with a model on another thread while the writer keeps serving predictions: its
 * snapshots are encoded and its state measured (both serialize it, which for a large ensemble
 * takes tens of milliseconds) on the snapshot thread, the model frozen meanwhile, learning
 * nothing. This holds only for learners whose predictions change nothing (every preset's); any
 * other is serialized on the writer, as before.
 *
 * <p>Writer thread only, but for {@link #thawSoon}, which the snapshot thread calls.
 */
final class FrozenWork {
    private final ModelStateMachine machine;
    private final SnapshotSchedule snapshots;
    private final Runnable wake;
    private boolean frozen;
    private volatile boolean thawDue;
    private volatile ModelState measured;

    /** @param wake tells the writer's loop to look again (the work is done) */
    FrozenWork(ModelStateMachine machine, SnapshotSchedule snapshots, Runnable wake) {
        this.machine = machine;
        this.snapshots = snapshots;
        this.wake = wake;
    }

    /** Whether the model is being serialized elsewhere: nothing may change it. */
    boolean frozen() {
        return frozen;
    }

    /** Thaws the model once the work that froze it is done, and keeps the state it measured. */
    void thawIfDone() {
        if (frozen && thawDue) {
            thawDue = false;
            frozen = false;
            machine.thaw();
            if (measured != null) {
                machine.stateMeasured(measured);
                measured = null;
            }
        }
    }

    /** A snapshot of the model as it is now, whose log resumes at {@code logOffset}; completes once it is on disk. */
    CompletableFuture<Versions.Version> snapshot(String reason, long logOffset) {
        if (!machine.model().learner().predictsWithoutChange()) {
            return snapshots.writeInBackground(snapshots.encode(machine, logOffset, reason));
        }
        freeze();
        return snapshots.encodeAndWrite(machine, logOffset, reason, this::thawSoon);
    }

    /**
     * The learner's state for a read: as last measured, and measured again in the background once
     * it is stale (the model frozen, predictions going on). Unknown (a new champion, promoted or
     * rolled back to, a rare change), it is measured here.
     */
    ModelState state() {
        if (machine.cachedState() == null) {
            machine.stateMeasured(machine.model().learner().state());
        } else if (machine.stateStale() && !frozen) {
            measure();
        }
        return machine.cachedState();
    }

    private void measure() {
        if (!machine.model().learner().predictsWithoutChange()) {
            machine.stateMeasured(machine.model().learner().state());
            return;
        }
        freeze();
        snapshots.onThread(() -> machine.model().learner().state()).whenComplete((state, failure) -> {
            measured = state;
            thawSoon();
        });
    }

    private void freeze() {
        frozen = true;
        machine.freeze();
    }

    private void thawSoon() {
        thawDue = true;
        wake.run();
    }
}
