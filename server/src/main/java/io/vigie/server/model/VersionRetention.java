package io.vigie.server.model;

import io.vigie.server.store.Versions;

import java.util.ArrayList;
import java.util.List;
import java.util.Set;

/**
 * Which versions a model keeps, so its snapshots do not fill the disk. The schedule's own
 * versions ({@code initial}, {@code periodic}, {@code shutdown}) are kept while they are among
 * the newest {@code keep} of them and, with a {@code maxAgeMillis}, younger than it. A version
 * someone asked for ({@code manual}) or kept before a promotion stays until it is deleted by hand.
 * The newest version always stays (recovery starts there), and so does every version a logged
 * rollback restored or is restoring (replaying the log loads it).
 *
 * @param keep         the schedule's versions kept, newest first; at least 1
 * @param maxAgeMillis the schedule's versions older than this go even within {@code keep}; 0 for no age limit
 */
public record VersionRetention(int keep, long maxAgeMillis) {
    public static final VersionRetention DEFAULT = new VersionRetention(10, 0);
    /** Taken by the schedule: at creation, every N records, at shutdown, and right after a rollback or a promotion changed the champion (so published versions follow it). */
    private static final Set<String> SCHEDULED = Set.of("initial", "periodic", "shutdown", "rollback", "promotion");

    /** Whether the schedule took a version of this reason (else a person or a promotion asked for it). */
    static boolean scheduled(String reason) {
        return SCHEDULED.contains(reason);
    }

    public VersionRetention {
        if (keep < 1) {
            throw new IllegalArgumentException("keep_versions must be at least 1, got " + keep);
        }
        if (maxAgeMillis < 0) {
            throw new IllegalArgumentException("keep_versions_max_age_days must not be negative");
        }
    }

    /**
     * The versions to delete now.
     *
     * @param oldestFirst every version, oldest first
     * @param needed      versions that must stay whatever their reason and age (rollback targets)
     */
    List<Long> expired(List<Versions.Version> oldestFirst, Set<Long> needed, long nowMillis) {
        List<Long> expired = new ArrayList<>();
        int scheduled = 0;
        for (int i = oldestFirst.size() - 1; i >= 0; i--) {
            Versions.Version version = oldestFirst.get(i);
            if (needed.contains(version.version()) || !SCHEDULED.contains(version.reason())) {
                continue;
            }
            scheduled++;
            boolean newest = i == oldestFirst.size() - 1;
            boolean tooOld = maxAgeMillis > 0 && nowMillis - version.createdAtMillis() > maxAgeMillis;
            if (!newest && (scheduled > keep || tooOld)) {
                expired.add(version.version());
            }
        }
        return expired;
    }

    /**
     * Where the log must start: at the oldest of the versions recovery may start from (the
     * schedule's versions kept, and the newest, whatever its reason), if the newer ones turn out
     * unreadable. Versions kept for rollbacks or by hand are loaded whole, never replayed from.
     */
    long logNeededFrom(List<Versions.Version> oldestFirst) {
        long from = oldestFirst.isEmpty() ? 0 : oldestFirst.get(oldestFirst.size() - 1).logOffset();
        for (Versions.Version version : oldestFirst) {
            if (SCHEDULED.contains(version.reason())) {
                from = Math.min(from, version.logOffset());
            }
        }
        return from;
    }
}
