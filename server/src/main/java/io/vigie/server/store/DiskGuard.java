package io.vigie.server.store;

import io.vigie.server.ApiProblem;

import java.io.IOException;
import java.nio.file.FileStore;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.concurrent.TimeUnit;

/**
 * A floor of free space under the data dir. Writes are refused (503, {@code disk-full}) while the
 * volume has less than the reserve free, and taken again once space returns, so the log and
 * RocksDB never run into a full disk themselves: RocksDB that fails a write for lack of space
 * turns read-only until it is reopened. The free space is read at most every
 * {@code disk_check_ms} (100 ms) while there is enough, and on every write while there is not.
 */
public final class DiskGuard {
    private final FileStore store;
    private final Path dir;
    private final long reserveBytes;
    private final long recheckNanos;
    private long checkedAt;
    private long free = Long.MAX_VALUE;

    /**
     * @param reserveBytes  the free space writes leave alone
     * @param recheckMillis how old a reading of the free space may be while there is enough (a
     *                      disk filled faster than that can still fail a write, which is then
     *                      reported as such)
     */
    public DiskGuard(Path dir, long reserveBytes, long recheckMillis) throws IOException {
        this.dir = dir;
        this.store = Files.getFileStore(dir);
        this.reserveBytes = reserveBytes;
        this.recheckNanos = TimeUnit.MILLISECONDS.toNanos(recheckMillis);
        this.checkedAt = System.nanoTime() - recheckNanos;
    }

    /** The problem to answer with if the volume is below the reserve, else null. */
    public synchronized ApiProblem problem() {
        long now = System.nanoTime();
        if (free < reserveBytes || now - checkedAt >= recheckNanos) { // while short, look every time: writes resume at once
            try {
                free = store.getUsableSpace();
            } catch (IOException e) {
                free = Long.MAX_VALUE; // cannot tell: let the write itself report what is wrong
            }
            checkedAt = now;
        }
        if (free >= reserveBytes) {
            return null;
        }
        return ApiProblem.unavailable("disk-full", "the volume of " + dir + " has " + mib(free) + " free, less than the "
                + mib(reserveBytes) + " kept in reserve (min_free_bytes); nothing was written, retry once space is freed", 30);
    }

    /** The volume's free bytes, read again if the last reading is stale (NaN if it cannot be read). */
    public synchronized double freeBytes() {
        problem();
        return free == Long.MAX_VALUE ? Double.NaN : free;
    }

    public long reserveBytes() {
        return reserveBytes;
    }

    /** Throws the disk-full problem if the volume is below the reserve. */
    public void check() {
        ApiProblem problem = problem();
        if (problem != null) {
            throw problem;
        }
    }

    private static String mib(long bytes) {
        return String.format(java.util.Locale.ROOT, "%.1f MiB", bytes / 1048576.0);
    }
}
