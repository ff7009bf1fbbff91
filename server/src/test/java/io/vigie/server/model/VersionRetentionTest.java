package io.vigie.server.model;

import io.vigie.server.store.Versions;
import org.junit.jupiter.api.Test;

import java.util.List;
import java.util.Set;
import java.util.concurrent.TimeUnit;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;

/** Which versions the retention deletes: the schedule's old ones, never a kept, needed or newest one. */
class VersionRetentionTest {
    private static final long DAY = TimeUnit.DAYS.toMillis(1);

    private static Versions.Version version(long version, String reason, long createdAt) {
        return new Versions.Version(version, version, createdAt, 1000, reason, 64 * version); // 64 bytes a record
    }

    private static final List<Versions.Version> VERSIONS = List.of(
            version(0, "initial", 0), version(100, "periodic", DAY), version(200, "manual", 2 * DAY),
            version(250, "before-promotion", 3 * DAY), version(300, "periodic", 4 * DAY), version(400, "shutdown", 5 * DAY),
            version(500, "periodic", 6 * DAY));

    @Test
    void theNewestScheduledOnesStay_andWhatAPersonOrAPromotionKeptStaysToo() {
        assertEquals(List.of(300L, 100L, 0L), new VersionRetention(2, 0).expired(VERSIONS, Set.of(), 7 * DAY));
        assertEquals(List.of(), new VersionRetention(10, 0).expired(VERSIONS, Set.of(), 7 * DAY));
    }

    @Test
    void aRollbacksTarget_staysAndDoesNotTakeTheRoomOfARecentOne() {
        assertEquals(List.of(300L, 0L), new VersionRetention(2, 0).expired(VERSIONS, Set.of(100L), 7 * DAY));
    }

    @Test
    void anAgeLimit_expiresOldScheduledOnes_butNeverTheNewest() {
        assertEquals(List.of(300L, 100L, 0L), new VersionRetention(10, 2 * DAY + 1).expired(VERSIONS, Set.of(), 7 * DAY));
        assertEquals(List.of(400L, 300L, 100L, 0L), new VersionRetention(10, 1).expired(VERSIONS, Set.of(), 70 * DAY),
                "the newest stays however old: recovery starts there");
    }

    @Test
    void theLogIsNeededFromTheOldestVersionRecoveryMayStartFrom() {
        List<Versions.Version> kept = VERSIONS.stream().filter(v -> v.version() >= 200).toList();
        assertEquals(64 * 300, new VersionRetention(2, 0).logNeededFrom(kept),
                "a manual or a promotion's version is loaded whole, never replayed from");
        assertEquals(0, new VersionRetention(2, 0).logNeededFrom(VERSIONS));
        List<Versions.Version> manualOnly = List.of(version(200, "manual", DAY), version(400, "manual", 2 * DAY));
        assertEquals(64 * 400, new VersionRetention(2, 0).logNeededFrom(manualOnly),
                "the newest, whatever its reason, is where recovery starts");
    }

    @Test
    void keepingNothing_isRefused() {
        assertThrows(IllegalArgumentException.class, () -> new VersionRetention(0, 0));
    }
}
