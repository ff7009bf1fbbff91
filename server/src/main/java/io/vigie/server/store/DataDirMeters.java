package io.vigie.server.store;

import io.micrometer.core.instrument.Gauge;
import io.micrometer.core.instrument.MeterRegistry;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.concurrent.TimeUnit;
import java.util.stream.Stream;

/**
 * The data dir in {@code /metrics}: the free bytes of its volume and the reserve writes leave
 * alone (below it writes are refused: the alert is on the gap), and the bytes the dir holds,
 * measured at most every 30 s (a walk of its files, cheap but not free).
 */
public final class DataDirMeters {
    private static final long SIZE_EVERY_NANOS = TimeUnit.SECONDS.toNanos(30);

    private final Path dir;
    private long measuredAt;
    private double size = Double.NaN;

    private DataDirMeters(Path dir) {
        this.dir = dir;
        this.measuredAt = System.nanoTime() - SIZE_EVERY_NANOS;
    }

    public static void register(MeterRegistry registry, Path dir, DiskGuard disk) {
        DataDirMeters meters = new DataDirMeters(dir);
        Gauge.builder("vigie.data.dir.free", disk, DiskGuard::freeBytes).baseUnit("bytes")
                .description("Free space on the data dir's volume").register(registry);
        Gauge.builder("vigie.data.dir.reserve", disk, DiskGuard::reserveBytes).baseUnit("bytes")
                .description("Free space writes leave alone (min_free_bytes): below it, writes answer 503 disk-full").register(registry);
        // the Supplier form holds the meters strongly (a gauge holds its object weakly)
        Gauge.builder("vigie.data.dir.size", meters::size).baseUnit("bytes")
                .description("Bytes the data dir holds: logs, versions, stored events, keys, audit (measured every 30 s at most)")
                .register(registry);
    }

    private synchronized double size() {
        long now = System.nanoTime();
        if (now - measuredAt >= SIZE_EVERY_NANOS) {
            measuredAt = now;
            try (Stream<Path> files = Files.walk(dir)) {
                size = files.filter(Files::isRegularFile).mapToLong(DataDirMeters::bytes).sum();
            } catch (IOException | UncheckedIOException e) {
                size = Double.NaN; // a file went away mid-walk (compaction): measured again next time
                measuredAt = now - SIZE_EVERY_NANOS;
            }
        }
        return size;
    }

    private static long bytes(Path file) {
        try {
            return Files.size(file);
        } catch (IOException e) {
            return 0; // gone since it was listed
        }
    }
}
