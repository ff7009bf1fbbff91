package io.vigie.server.model;

import io.micrometer.core.instrument.Timer;
import io.vigie.learner.Snapshot;
import io.vigie.learner.SnapshotException;
import io.vigie.learner.SnapshotProvenance;
import io.vigie.learner.Snapshots;
import io.vigie.server.ApiProblem;
import io.vigie.server.store.DiskGuard;
import io.vigie.server.store.Versions;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.time.Clock;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.TimeUnit;
import java.util.function.LongConsumer;
import java.util.function.Supplier;

/**
 * When a model is snapshotted and how: every {@code snapshotEvery} applied records, on demand,
 * before a promotion and at shutdown. The model is serialized on the writer thread (it must not
 * change meanwhile); the file is written and fsynced on this schedule's own thread, so the
 * writer goes on serving. After each version is written, {@link VersionRetention} says which
 * older ones go; they are deleted on the same thread that loads versions for rollbacks, so a
 * version is never deleted while it is being restored.
 */
final class SnapshotSchedule {
    private static final Logger LOG = LoggerFactory.getLogger(SnapshotSchedule.class);

    /** A snapshot serialized, not yet written. */
    record Encoded(long version, byte[] bytes, SnapshotProvenance provenance, String reason) {
    }

    private final String model;
    private final Versions versions;
    private final DiskGuard disk;
    private final long every;
    private final Clock clock;
    private final Timer timer;
    private final VersionRetention retention;
    private final Supplier<Set<Long>> rollbackTargets;
    private final LongConsumer logNeededFrom;
    /** Versions being loaded for a rollback not yet logged: kept like the logged rollbacks' targets. */
    private final Set<Long> restoring = ConcurrentHashMap.newKeySet();
    private final ExecutorService io;
    private long sinceSnapshot;
    private volatile boolean inFlight;

    /**
     * @param rollbackTargets the versions logged rollbacks restored, which must stay
     * @param logNeededFrom   hears, after versions were deleted, the log offset recovery may need from
     */
    SnapshotSchedule(String model, Versions versions, DiskGuard disk, long every, VersionRetention retention, Clock clock,
                     Timer timer, Supplier<Set<Long>> rollbackTargets, LongConsumer logNeededFrom) {
        this.model = model;
        this.disk = disk;
        this.versions = versions;
        this.every = every;
        this.clock = clock;
        this.timer = timer;
        this.retention = retention;
        this.rollbackTargets = rollbackTargets;
        this.logNeededFrom = logNeededFrom;
        this.io = Executors.newSingleThreadExecutor(r -> {
            Thread t = new Thread(r, "vigie-snapshots-" + model);
            t.setDaemon(true);
            return t;
        });
    }

    Versions versions() {
        return versions;
    }

    /** A record was applied: one more to replay from the last snapshot. */
    void applied() {
        sinceSnapshot++;
    }

    /**
     * Serializes the model as it is now; {@code logOffset} is where replay would resume. On the
     * writer thread, or on this schedule's while the writer keeps the model frozen.
     */
    Encoded encode(ModelStateMachine machine, long logOffset, String reason) {
        long started = System.nanoTime();
        SnapshotProvenance provenance = Snapshots.provenance(machine.model(), Map.of(
                Versions.VERSION, Long.toString(machine.version()),
                Versions.LOG_OFFSET, Long.toString(logOffset),
                Versions.REASON, reason,
                Versions.SOURCE_POSITIONS, machine.positions().encode(),
                Versions.ROLLBACK_TARGETS, String.join(",", machine.rollbackTargets().stream().map(String::valueOf).toList()),
                "model.name", model), clock);
        byte[] bytes = Snapshots.encode(machine.model(), machine.serving(), provenance);
        timer.record(System.nanoTime() - started, TimeUnit.NANOSECONDS);
        return new Encoded(machine.version(), bytes, provenance, reason);
    }

    /** Writes a snapshot now, on the calling thread. */
    Versions.Version write(Encoded snapshot) {
        long started = System.nanoTime();
        try {
            Versions.Version existing = versions.get(snapshot.version());
            if (existing != null && VersionRetention.scheduled(snapshot.reason())) {
                // the same state is kept already, perhaps asked for by hand: its reason, and so its retention, stays
                return existing;
            }
            Versions.Version version = versions.save(snapshot.version(), snapshot.bytes(), snapshot.provenance());
            deleteExpired();
            return version;
        } catch (RuntimeException e) {
            LOG.error("snapshot of '{}' at version {} failed: {}", model, snapshot.version(), e.getMessage());
            throw e;
        } finally {
            timer.record(System.nanoTime() - started, TimeUnit.NANOSECONDS);
            inFlight = false;
        }
    }

    /** The versions that must stay whatever the retention: the rollbacks' targets, logged or under way. */
    private Set<Long> needed() {
        Set<Long> needed = new HashSet<>(rollbackTargets.get());
        needed.addAll(restoring);
        return needed;
    }

    private void deleteExpired() {
        for (long expired : retention.expired(versions.list(), needed(), clock.millis())) {
            try {
                versions.delete(expired);
                LOG.info("model '{}': version {} deleted, past the retention ({})", model, expired, retention);
            } catch (IOException e) {
                LOG.warn("model '{}': version {} could not be deleted: {}", model, expired, e.getMessage());
            }
        }
        logNeededFrom.accept(retention.logNeededFrom(versions.list()));
    }

    /**
     * Deletes a version by hand, on the schedule's thread. The newest version and the targets of
     * rollbacks stay: recovery and replay need them.
     */
    CompletableFuture<Void> delete(long version) {
        return CompletableFuture.runAsync(() -> {
            List<Versions.Version> all = versions.list();
            if (!versions.contains(version)) {
                throw ApiProblem.notFound("unknown-version", "model '" + model + "' has no version " + version);
            }
            if (all.get(all.size() - 1).version() == version) {
                throw ApiProblem.conflict("version-needed", "version " + version + " is the newest of model '" + model
                        + "': a restart recovers from it");
            }
            if (needed().contains(version)) {
                throw ApiProblem.conflict("version-needed", "version " + version + " of model '" + model
                        + "' was restored by a rollback: replaying the log loads it");
            }
            try {
                versions.delete(version);
            } catch (IOException e) {
                throw new UncheckedIOException("cannot delete version " + version, e);
            }
        }, io);
    }

    /** A version's snapshot file as written. Safe from any thread. */
    byte[] bytes(long version) {
        try {
            return versions.bytes(version);
        } catch (UncheckedIOException e) {
            if (e.getCause() instanceof java.nio.file.NoSuchFileException) { // deleted since it was asked for
                throw ApiProblem.notFound("unknown-version", "model '" + model + "' has no version " + version);
            }
            throw e;
        }
    }

    /** Writes a snapshot encoded on the writer thread, on the schedule's thread, after any already in flight. */
    CompletableFuture<Versions.Version> writeInBackground(Encoded snapshot) {
        taken();
        return CompletableFuture.supplyAsync(() -> write(snapshot), io);
    }

    /**
     * Encodes and writes a snapshot on the schedule's thread; the writer keeps the model frozen
     * until {@code encoded} runs (right after the encoding, before the disk work), serving
     * predictions meanwhile.
     */
    CompletableFuture<Versions.Version> encodeAndWrite(ModelStateMachine machine, long logOffset, String reason, Runnable encoded) {
        taken();
        return CompletableFuture.supplyAsync(() -> {
            Encoded snapshot;
            try {
                snapshot = encode(machine, logOffset, reason);
            } finally {
                encoded.run();
            }
            return write(snapshot);
        }, io);
    }

    /** Runs a job on the schedule's thread (a state measurement while the writer keeps the model frozen). */
    <T> CompletableFuture<T> onThread(Supplier<T> job) {
        return CompletableFuture.supplyAsync(job, io);
    }

    /** A snapshot starts: the records applied since the last one are counted afresh, and no periodic one starts until it is written. */
    private void taken() {
        sinceSnapshot = 0;
        inFlight = true;
    }

    /** Whether a periodic snapshot is due: enough records applied, none being written, the disk above its reserve. */
    boolean due() {
        return sinceSnapshot >= every && !inFlight && disk.problem() == null;
    }

    /**
     * Reads a version back, checksum verified, on the schedule's thread (a rollback, while the
     * model keeps serving). A version that no longer reads is set aside and is a 409: it is not a
     * version to roll back to any more.
     */
    CompletableFuture<Snapshot> load(long version) {
        restoring.add(version);
        return CompletableFuture.supplyAsync(() -> {
            try {
                return versions.load(version);
            } catch (SnapshotException e) {
                versions.setAside(version, e);
                throw ApiProblem.conflict("unreadable-version", "version " + version + " of model '" + model + "' no longer reads ("
                        + e.getMessage() + "); it was set aside and is no longer listed, pick another");
            }
        }, io);
    }

    /**
     * Keeps the champion as a version before a promotion replaces it (a snapshot written now, after
     * any in flight, if its version has none).
     *
     * @throws ApiProblem 503 if it could not be written: nothing may change then
     */
    void keepBeforePromotion(ModelStateMachine machine, long logOffset) {
        if (versions.contains(machine.version())) {
            return;
        }
        disk.check();
        try {
            writeInBackground(encode(machine, logOffset, "before-promotion")).get(); // rare: the writer waits for it
        } catch (Exception e) {
            throw ApiProblem.unavailable("snapshot-failed", "the champion could not be kept as a version, nothing changed: "
                    + e.getMessage(), 5);
        }
    }

    /** A rollback to a version was logged and applied (it is now among the targets) or failed. */
    void restored(long version) {
        restoring.remove(version);
    }

    /** Stops the schedule's thread at once: the model failed to open. */
    void abandon() {
        io.shutdownNow();
    }

    /** Waits for the snapshots in flight, then writes one of the final state if it has none, so the next start replays little. */
    void close(ModelStateMachine machine, long logOffset, boolean snapshot) throws InterruptedException {
        io.shutdown();
        io.awaitTermination(1, TimeUnit.MINUTES);
        if (snapshot && sinceSnapshot > 0 && !versions.contains(machine.version())) {
            if (disk.problem() != null) {
                LOG.warn("model '{}': no closing snapshot, the disk is below its reserve; the next start replays the log", model);
                return;
            }
            taken();
            write(encode(machine, logOffset, "shutdown"));
        }
    }
}
