package io.vigie.server.store;

import java.io.BufferedInputStream;
import java.io.DataInputStream;
import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.channels.Channels;
import java.nio.channels.FileChannel;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.nio.file.StandardOpenOption;
import java.util.List;
import java.util.Map;
import java.util.NavigableMap;
import java.util.concurrent.ConcurrentSkipListMap;
import java.util.stream.Stream;

/**
 * A model's append-only log, the source of truth of what it learned, in segment files under
 * {@code log/}, each named by the log offset of its first byte ({@code log/<20 digits>.log}).
 * Offsets are the log's, across segments: a snapshot's offset stays valid whatever was cut before it.
 *
 * <p>Records are framed by {@link LogFrames}. Sequence numbers have no gaps; the model's version is
 * the sequence number of the last record it applied. {@link #append} writes a whole batch with one
 * write and one {@code fsync} (group commit), into one segment: a new segment is started once the
 * last one holds {@code segmentBytes}. {@link #deleteBefore} deletes the segments that end before
 * the oldest snapshot recovery may start from, so the log's disk use is bounded by the snapshot
 * retention, not by the model's age.
 *
 * <p>Opening replays the records after a snapshot's offset. A frame that is short, fails its
 * checksum or breaks the sequence ends what can be replayed. If it is in the last segment and no
 * valid frame follows it, it is a torn tail: a crash cut the last write short, so nothing in it was
 * acknowledged; the tail is moved aside to {@code <segment>.torn-<offset>} and the segment is cut
 * there, so appends continue from the last good record. Anywhere else the damage is in the middle
 * of acknowledged records: nothing is cut, and opening fails with {@link LogDamagedException} for
 * an operator to decide ({@code vigie repair}).
 */
public final class EventLog implements AutoCloseable {
    /** The whole log of a model written before segments; opening moves it to be the first segment. */
    public static final String SINGLE_FILE = "events.log";
    /** The folder of the segments, in the model's folder. */
    public static final String DIR = "log";
    /** The default size after which a new segment is started. */
    public static final long DEFAULT_SEGMENT_BYTES = 64L << 20;

    /** What {@link #open} hands each replayed record to. */
    public interface Replay {
        void apply(long seq, LogRecord record, long endOffset);
    }

    /** What recovery found: how many records it replayed and how many torn bytes it cut. */
    public record Recovery(long replayed, long tornBytes) {
    }

    private final Path dir;
    private final long segmentBytes;
    /** Every segment by the offset of its first byte; the last one is appended to. */
    private final ConcurrentSkipListMap<Long, Path> segments;
    private final Recovery recovery;
    private FileChannel active;
    private long activeBase;
    private volatile long size;
    private long nextSeq;

    private EventLog(Path dir, long segmentBytes, ConcurrentSkipListMap<Long, Path> segments, FileChannel active, long size,
                     long nextSeq, Recovery recovery) {
        this.dir = dir;
        this.segmentBytes = segmentBytes;
        this.segments = segments;
        this.active = active;
        this.activeBase = segments.lastKey();
        this.size = size;
        this.nextSeq = nextSeq;
        this.recovery = recovery;
    }

    /**
     * Opens (or creates) a model's log and replays the records after {@code fromOffset}, which is
     * where the snapshot of version {@code fromVersion} left off (0 and 0 for an empty model).
     *
     * @throws IOException if a segment cannot be read, or the log no longer holds what the snapshot needs
     */
    public static EventLog open(Path modelDir, long segmentBytes, long fromOffset, long fromVersion, Replay replay)
            throws IOException {
        Path dir = Files.createDirectories(modelDir.resolve(DIR));
        adoptSingleFile(modelDir, dir);
        ConcurrentSkipListMap<Long, Path> segments = list(dir);
        if (segments.isEmpty()) {
            if (fromOffset > 0) {
                throw new IOException("the log of " + modelDir.getFileName() + " is gone but its snapshot was taken at byte "
                        + fromOffset + ": the log lost acknowledged records");
            }
            segments.put(0L, createSegment(dir, 0));
        }
        Long startBase = segments.floorKey(fromOffset);
        if (startBase == null) {
            throw new IOException("the log of " + modelDir.getFileName() + " starts at byte " + segments.firstKey()
                    + " but the snapshot to recover from was taken at byte " + fromOffset + ": the records between were deleted");
        }
        long offset = fromOffset;
        long seq = fromVersion;
        long replayed = 0;
        long torn = 0;
        for (Map.Entry<Long, Path> segment : segments.tailMap(startBase, true).entrySet()) {
            long base = segment.getKey();
            Path file = segment.getValue();
            Long next = segments.higherKey(base);
            if (offset != Math.max(base, fromOffset)) {
                throw new LogDamagedException(file, offset, seq, base); // the segments do not join up
            }
            try (FileChannel channel = FileChannel.open(file, StandardOpenOption.READ, StandardOpenOption.WRITE)) {
                long end = base + channel.size();
                if (end < offset) {
                    throw new IOException("the log segment " + file + " ends at byte " + end + " but its snapshot was taken at byte "
                            + offset + ": the log lost acknowledged records");
                }
                DataInputStream in = new DataInputStream(new BufferedInputStream(
                        Channels.newInputStream(channel.position(offset - base)), 1 << 16));
                while (offset < end) {
                    LogFrames.Frame frame = LogFrames.readFrame(in, end - offset, seq + 1);
                    if (frame == null) {
                        break;
                    }
                    offset += LogFrames.HEADER + frame.bodyLength();
                    seq++;
                    replayed++;
                    replay.apply(seq, frame.record(), offset);
                }
                if (offset < end) {
                    if (next != null) {
                        throw new LogDamagedException(file, offset, seq, next);
                    }
                    long resumes = LogFrames.nextValidFrame(channel, offset - base, end - base, seq + 1);
                    if (resumes >= 0) {
                        throw new LogDamagedException(file, offset, seq, base + resumes);
                    }
                    torn = end - offset;
                    moveAside(channel, file, offset - base, torn, offset);
                    channel.truncate(offset - base);
                    channel.force(true);
                }
            }
        }
        Path last = segments.lastEntry().getValue();
        FileChannel active = FileChannel.open(last, StandardOpenOption.READ, StandardOpenOption.WRITE);
        active.position(offset - segments.lastKey());
        return new EventLog(dir, segmentBytes, segments, active, offset, seq + 1, new Recovery(replayed, torn));
    }

    /**
     * Makes an empty log that begins at byte {@code offset}: the log of a model started from a
     * snapshot taken elsewhere at that offset, which holds everything before it.
     */
    public static void createAt(Path modelDir, long offset) throws IOException {
        Path dir = Files.createDirectories(modelDir.resolve(DIR));
        if (!list(dir).isEmpty()) {
            throw new IOException("the model " + modelDir.getFileName() + " has a log already");
        }
        createSegment(dir, offset);
    }

    /** A log of one file, as written before segments, becomes the first segment of its folder. */
    private static void adoptSingleFile(Path modelDir, Path dir) throws IOException {
        Path single = modelDir.resolve(SINGLE_FILE);
        if (!Files.isRegularFile(single)) {
            return;
        }
        if (!list(dir).isEmpty()) {
            throw new IOException("the model " + modelDir.getFileName() + " has both a log file (" + SINGLE_FILE
                    + ") and log segments (" + DIR + "/): move one of them away");
        }
        Files.move(single, dir.resolve(segmentName(0)), StandardCopyOption.ATOMIC_MOVE);
        syncDirectory(dir);
        syncDirectory(modelDir);
    }

    /** The segments of a log folder, by the offset of their first byte. */
    public static ConcurrentSkipListMap<Long, Path> list(Path dir) throws IOException {
        ConcurrentSkipListMap<Long, Path> segments = new ConcurrentSkipListMap<>();
        if (!Files.isDirectory(dir)) {
            return segments;
        }
        try (Stream<Path> files = Files.list(dir)) {
            for (Path file : files.toList()) {
                String name = file.getFileName().toString();
                if (name.matches("[0-9]{20}\\.log")) {
                    segments.put(Long.parseLong(name.substring(0, 20)), file);
                }
            }
        }
        return segments;
    }

    static String segmentName(long base) {
        return String.format("%020d.log", base);
    }

    private static Path createSegment(Path dir, long base) throws IOException {
        Path file = Files.createFile(dir.resolve(segmentName(base)));
        syncDirectory(dir); // the new name survives a crash, so the records about to go in it do too
        return file;
    }

    private static void syncDirectory(Path dir) throws IOException {
        try (FileChannel channel = FileChannel.open(dir, StandardOpenOption.READ)) {
            channel.force(true);
        }
    }

    /** Copies the whole cut region beside its segment, however long, before the segment is cut. */
    private static void moveAside(FileChannel channel, Path file, long from, long length, long offset) throws IOException {
        try (FileChannel aside = FileChannel.open(file.resolveSibling(file.getFileName() + ".torn-" + offset),
                StandardOpenOption.CREATE, StandardOpenOption.WRITE, StandardOpenOption.TRUNCATE_EXISTING)) {
            transfer(channel, from, length, aside);
            aside.force(true);
        }
    }

    /** Copies {@code length} bytes from {@code position}, however many transfers that takes. */
    static void transfer(FileChannel from, long position, long length, FileChannel to) throws IOException {
        long copied = 0;
        while (copied < length) {
            copied += from.transferTo(position + copied, length - copied, to);
        }
    }

    /**
     * Appends records with one write and one fsync, and returns the sequence number of the first.
     * If it throws, none of them may be acknowledged; the segment is cut back to where it was.
     */
    public long append(List<LogRecord> records) throws IOException {
        byte[][] bodies = new byte[records.size()][];
        int total = 0;
        for (int i = 0; i < bodies.length; i++) {
            bodies[i] = LogRecord.encode(records.get(i));
            total += LogFrames.HEADER + bodies[i].length;
        }
        ByteBuffer buffer = ByteBuffer.allocate(total);
        long first = nextSeq;
        long seq = nextSeq;
        for (byte[] body : bodies) {
            LogFrames.putFrame(buffer, seq, body);
            seq++;
        }
        buffer.flip();
        if (size - activeBase >= segmentBytes) {
            roll();
        }
        try {
            while (buffer.hasRemaining()) {
                active.write(buffer);
            }
            active.force(false);
        } catch (IOException e) {
            try {
                active.truncate(size - activeBase);
                active.position(size - activeBase);
            } catch (IOException ignored) {
                // the next open() cuts the torn tail anyway
            }
            throw e;
        }
        size += total;
        nextSeq = seq;
        return first;
    }

    /** Starts a new segment at the end of the log; the full one is already on disk (each append is fsynced). */
    private void roll() throws IOException {
        Path file = createSegment(dir, size);
        FileChannel next = FileChannel.open(file, StandardOpenOption.READ, StandardOpenOption.WRITE);
        active.close();
        active = next;
        activeBase = size;
        segments.put(size, file);
    }

    /**
     * Deletes the segments that end at or before {@code offset}, the oldest offset recovery may
     * start from; the segment appended to always stays. Safe from any thread. Returns the bytes freed.
     */
    public long deleteBefore(long offset) throws IOException {
        long freed = 0;
        for (Map.Entry<Long, Path> segment : segments.headMap(offset, false).entrySet()) {
            Long next = segments.higherKey(segment.getKey());
            if (next == null || next > offset) {
                break;
            }
            freed += Files.size(segment.getValue());
            Files.delete(segment.getValue());
            segments.remove(segment.getKey());
        }
        if (freed > 0) {
            syncDirectory(dir);
        }
        return freed;
    }

    /** The offset after the last record: where a snapshot of the current state starts replay. */
    public long size() {
        return size;
    }

    /** The offset of the log's first byte still kept. */
    public long start() {
        return segments.firstKey();
    }

    /** The sequence number the next record will get. */
    public long nextSeq() {
        return nextSeq;
    }

    /** What opening the log replayed and cut. */
    public Recovery recovery() {
        return recovery;
    }

    /** The segments, by the offset of their first byte. */
    public NavigableMap<Long, Path> segments() {
        return segments;
    }

    @Override
    public void close() throws IOException {
        active.close();
    }
}
