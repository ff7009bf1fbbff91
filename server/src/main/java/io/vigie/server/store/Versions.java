package io.vigie.server.store;

import io.vigie.learner.Snapshot;
import io.vigie.learner.SnapshotException;
import io.vigie.learner.SnapshotProvenance;
import io.vigie.learner.Snapshots;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.NavigableMap;
import java.util.concurrent.ConcurrentSkipListMap;
import java.util.stream.Stream;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * A model's snapshots, one file per version: {@code versions/<version>.snapshot}, the version
 * being the sequence number of the last log record the model had applied. Each snapshot records
 * in its attributes the log offset to replay from and why it was taken.
 */
public final class Versions {
    private static final Logger LOG = LoggerFactory.getLogger(Versions.class);
    /** Snapshot attribute: the model version, the sequence number of the last log record applied. */
    public static final String VERSION = "version";
    /** Snapshot attribute: the log byte offset after the snapshot's version. */
    public static final String LOG_OFFSET = "log.offset";
    /** Snapshot attribute: why it was taken ({@code manual}, {@code periodic}, {@code shutdown}). */
    public static final String REASON = "reason";
    /** Snapshot attribute: the last stream offset logged per source partition ({@link SourcePositions}). */
    public static final String SOURCE_POSITIONS = "source.positions";
    /** Snapshot attribute: the versions logged rollbacks restore, which replay needs (comma-separated; none in older snapshots). */
    public static final String ROLLBACK_TARGETS = "rollback.targets";

    /**
     * What the version list shows of a snapshot without loading its model; {@code logOffset} is
     * where replay from it starts.
     */
    public record Version(long version, long learned, long createdAtMillis, long bytes, String reason, long logOffset) {
        static Version of(long version, SnapshotProvenance provenance, long bytes) {
            Map<String, String> attributes = provenance.attributes();
            return new Version(version, provenance.learned(), provenance.createdAt().toEpochMilli(), bytes,
                    attributes.getOrDefault(REASON, "manual"), Long.parseLong(attributes.getOrDefault(LOG_OFFSET, "0")));
        }
    }

    private final Path dir;
    private final NavigableMap<Long, Version> versions = new ConcurrentSkipListMap<>();
    /** Versions whose snapshot failed its checksum or could not be read, newest first; set aside. */
    private final List<Long> unreadable = new java.util.concurrent.CopyOnWriteArrayList<>();

    public Versions(Path dir) throws IOException {
        this.dir = Files.createDirectories(dir);
        try (Stream<Path> files = Files.list(dir)) {
            for (Path file : files.filter(f -> f.getFileName().toString().endsWith(".snapshot")).toList()) {
                long version;
                try {
                    version = Long.parseLong(file.getFileName().toString().replace(".snapshot", ""));
                } catch (NumberFormatException e) {
                    LOG.warn("ignoring {}: not a version's snapshot", file);
                    continue;
                }
                try {
                    versions.put(version, Version.of(version, Snapshots.readProvenance(file), Files.size(file)));
                } catch (SnapshotException e) {
                    setAside(version, e);
                }
            }
        }
    }

    /** Writes a snapshot's bytes (from {@link Snapshots#encode}) as a version. */
    public Version save(long version, byte[] bytes, SnapshotProvenance provenance) {
        Snapshots.save(file(version), bytes);
        Version saved = Version.of(version, provenance, bytes.length);
        versions.put(version, saved);
        return saved;
    }

    /**
     * Keeps a snapshot file taken elsewhere (another instance of the cluster) as the version it
     * names, its checksum verified first.
     */
    public Version adopt(byte[] file) {
        SnapshotProvenance provenance = Snapshots.decodeProvenance(file);
        return save(Long.parseLong(provenance.attributes().get(VERSION)), file, provenance);
    }

    /** Reads a version back; its checksum is verified. */
    public Snapshot load(long version) {
        return Snapshots.read(file(version));
    }

    /** A version's snapshot file as it is on disk, to publish it. */
    public byte[] bytes(long version) {
        try {
            return Files.readAllBytes(file(version));
        } catch (IOException e) {
            throw new java.io.UncheckedIOException("cannot read snapshot " + file(version), e);
        }
    }

    /** The newest snapshot that reads back whole (or null), and the newer ones that did not. */
    public record Latest(Snapshot snapshot, List<Long> unreadable) {
    }

    /**
     * The newest snapshot that reads back whole, or null: recovery starts from it. One that fails
     * its checksum or cannot be read (found when listing, or now when loading) is moved aside
     * ({@code .unreadable}) and is no longer a version, so a rollback cannot pick it.
     */
    public Latest latestReadable() {
        for (Long version : new ArrayList<>(versions.descendingKeySet())) {
            try {
                return new Latest(load(version), unreadable());
            } catch (SnapshotException e) {
                setAside(version, e);
            }
        }
        return new Latest(null, unreadable());
    }

    private List<Long> unreadable() {
        return unreadable.stream().sorted(java.util.Comparator.reverseOrder()).toList();
    }

    /** Moves a version's snapshot aside ({@code .unreadable}): it failed to read and is no longer a version. */
    public void setAside(long version, SnapshotException why) {
        Path file = file(version);
        LOG.error("snapshot {} is unreadable ({}); moved aside, recovery uses an older one", file, why.getMessage());
        unreadable.add(version);
        versions.remove(version);
        try {
            Files.move(file, file.resolveSibling(file.getFileName() + ".unreadable"), java.nio.file.StandardCopyOption.REPLACE_EXISTING);
        } catch (IOException e) {
            LOG.error("cannot move {} aside: {}", file, e.getMessage());
        }
    }

    /** A version, or null if there is no snapshot of it. */
    public Version get(long version) {
        return versions.get(version);
    }

    public boolean contains(long version) {
        return versions.containsKey(version);
    }

    /** All versions, oldest first. */
    public List<Version> list() {
        return new ArrayList<>(versions.values());
    }

    private Path file(long version) {
        return dir.resolve(String.format("%020d.snapshot", version));
    }

    /** Removes a version's snapshot: it is no longer a version. */
    public void delete(long version) throws IOException {
        versions.remove(version);
        Files.deleteIfExists(file(version));
    }

    /** Removes every snapshot (the model is being deleted). */
    public void deleteAll() {
        for (Long version : versions.keySet()) {
            try {
                Files.deleteIfExists(file(version));
            } catch (IOException e) {
                throw new UncheckedIOException(e);
            }
        }
        versions.clear();
    }
}
