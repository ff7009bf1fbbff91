package io.vigie.server.store;

import java.io.BufferedInputStream;
import java.io.ByteArrayInputStream;
import java.io.DataInputStream;
import java.io.IOException;
import java.io.InputStream;
import java.nio.ByteBuffer;
import java.nio.channels.Channels;
import java.nio.channels.FileChannel;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.util.List;
import java.util.zip.CRC32C;

/**
 * A model's append-only log file, the source of truth of what it learned.
 *
 * <p>Each record is framed as {@code [int length][int crc32c][long seq][body]}, the checksum
 * covering the sequence number and the body. Sequence numbers start at 1 and have no gaps; the
 * model's version is the sequence number of the last record it applied. {@link #append} writes
 * a whole batch with one write and one {@code fsync} (group commit): nothing is acknowledged
 * before it returns.
 *
 * <p>Opening replays the records after a snapshot's offset. A frame that is short, fails its
 * checksum or breaks the sequence ends what can be replayed. If no valid frame follows it, it is a
 * torn tail: a crash cut the last write short, so nothing in it was acknowledged; the whole tail is
 * moved aside to {@code <log>.torn-<offset>} and the file is cut there, so appends continue from
 * the last good record. If a valid frame does follow, the damage is in the middle of acknowledged
 * records: nothing is cut, and opening fails with {@link LogDamagedException} for an operator to
 * decide ({@code vigie repair}).
 */
public final class EventLog implements AutoCloseable {
    static final int HEADER = 4 + 4 + 8;

    /** What {@link #open} hands each replayed record to. */
    public interface Replay {
        void apply(long seq, LogRecord record, long endOffset);
    }

    /** What recovery found: how many records it replayed and how many torn bytes it cut. */
    public record Recovery(long replayed, long tornBytes) {
    }

    private final Path file;
    private final FileChannel channel;
    private final Recovery recovery;
    private long size;
    private long nextSeq;

    private EventLog(Path file, FileChannel channel, long size, long nextSeq, Recovery recovery) {
        this.file = file;
        this.channel = channel;
        this.size = size;
        this.nextSeq = nextSeq;
        this.recovery = recovery;
    }

    /**
     * Opens (or creates) a log and replays the records after {@code fromOffset}, which is where
     * the snapshot of version {@code fromVersion} left off (0 and 0 for an empty model).
     *
     * @throws IOException if the file cannot be read, or is shorter than the snapshot says it was
     */
    public static EventLog open(Path file, long fromOffset, long fromVersion, Replay replay) throws IOException {
        FileChannel channel = FileChannel.open(file, StandardOpenOption.CREATE, StandardOpenOption.READ,
                StandardOpenOption.WRITE);
        try {
            long fileSize = channel.size();
            if (fileSize < fromOffset) {
                throw new IOException("the log " + file + " has " + fileSize + " bytes but its snapshot was taken at byte "
                        + fromOffset + ": the log lost acknowledged records");
            }
            long offset = fromOffset;
            long seq = fromVersion;
            long replayed = 0;
            InputStream stream = new BufferedInputStream(Channels.newInputStream(channel.position(fromOffset)), 1 << 16);
            DataInputStream in = new DataInputStream(stream);
            while (offset < fileSize) {
                Frame frame = readFrame(in, fileSize - offset, seq + 1);
                if (frame == null) {
                    break;
                }
                offset += HEADER + frame.bodyLength();
                seq++;
                replayed++;
                replay.apply(seq, frame.record(), offset);
            }
            long torn = fileSize - offset;
            if (torn > 0) {
                long resumes = nextValidFrame(channel, offset, fileSize, seq + 1);
                if (resumes >= 0) {
                    throw new LogDamagedException(file, offset, seq, resumes);
                }
                moveAside(channel, file, offset, torn);
                channel.truncate(offset);
                channel.force(true);
            }
            channel.position(offset);
            return new EventLog(file, channel, offset, seq + 1, new Recovery(replayed, torn));
        } catch (IOException | RuntimeException e) {
            channel.close();
            throw e;
        }
    }

    /** A frame read: its record and the length of its body. */
    record Frame(LogRecord record, int bodyLength) {
    }

    /** The next frame, or null if it is torn or out of sequence. */
    static Frame readFrame(DataInputStream in, long remaining, long expectedSeq) throws IOException {
        if (remaining < HEADER) {
            return null;
        }
        int length = in.readInt();
        int crc = in.readInt();
        long seq = in.readLong();
        if (length < 1 || length > remaining - HEADER || seq != expectedSeq) {
            return null;
        }
        byte[] body = in.readNBytes(length);
        CRC32C check = new CRC32C();
        check.update(ByteBuffer.allocate(8).putLong(0, seq));
        check.update(body);
        if ((int) check.getValue() != crc) {
            return null;
        }
        try {
            return new Frame(LogRecord.decode(new DataInputStream(new ByteArrayInputStream(body))), length);
        } catch (IOException | RuntimeException e) { // a body that passed its checksum yet does not parse
            return null;
        }
    }

    /**
     * The offset of the first valid frame after {@code from} (checksum good, sequence number at
     * least {@code expectedSeq}), or -1 if there is none: what tells damage in the middle of the
     * log from a torn tail. Every byte offset is tried, cheapest checks first.
     */
    static long nextValidFrame(FileChannel channel, long from, long fileSize, long expectedSeq) throws IOException {
        long mostRecords = (fileSize - from) / (HEADER + 1);
        ByteBuffer window = ByteBuffer.allocate(1 << 20);
        for (long start = from + 1; start + HEADER <= fileSize; start += window.capacity() - HEADER) {
            window.clear();
            int read = readFully(channel, window, start, fileSize);
            for (int i = 0; i + HEADER <= read; i++) {
                long seq = window.getLong(i + 8);
                int length = window.getInt(i);
                long at = start + i;
                if (seq >= expectedSeq && seq <= expectedSeq + mostRecords && length >= 1 && length <= fileSize - at - HEADER
                        && checksumHolds(channel, at, length, seq, window.getInt(i + 4))) {
                    return at;
                }
            }
            if (start + read >= fileSize) {
                break;
            }
        }
        return -1;
    }

    private static int readFully(FileChannel channel, ByteBuffer buffer, long position, long fileSize) throws IOException {
        int total = 0;
        while (buffer.hasRemaining() && position + total < fileSize) {
            int n = channel.read(buffer, position + total);
            if (n < 0) {
                break;
            }
            total += n;
        }
        return total;
    }

    private static boolean checksumHolds(FileChannel channel, long at, int length, long seq, int crc) throws IOException {
        ByteBuffer body = ByteBuffer.allocate(length);
        readFully(channel, body, at + HEADER, at + HEADER + length);
        CRC32C check = new CRC32C();
        check.update(ByteBuffer.allocate(8).putLong(0, seq));
        body.flip();
        check.update(body);
        return (int) check.getValue() == crc;
    }

    /** Copies the whole cut region beside the log, however long, before the log is cut. */
    private static void moveAside(FileChannel channel, Path file, long offset, long length) throws IOException {
        try (FileChannel aside = FileChannel.open(file.resolveSibling(file.getFileName() + ".torn-" + offset),
                StandardOpenOption.CREATE, StandardOpenOption.WRITE, StandardOpenOption.TRUNCATE_EXISTING)) {
            long copied = 0;
            while (copied < length) {
                copied += channel.transferTo(offset + copied, length - copied, aside);
            }
            aside.force(true);
        }
    }

    /**
     * Appends records with one write and one fsync, and returns the sequence number of the first.
     * If it throws, none of them may be acknowledged; the log is cut back to where it was.
     */
    public long append(List<LogRecord> records) throws IOException {
        byte[][] bodies = new byte[records.size()][];
        int total = 0;
        for (int i = 0; i < bodies.length; i++) {
            bodies[i] = LogRecord.encode(records.get(i));
            total += HEADER + bodies[i].length;
        }
        ByteBuffer buffer = ByteBuffer.allocate(total);
        long first = nextSeq;
        long seq = nextSeq;
        for (byte[] body : bodies) {
            putFrame(buffer, seq, body);
            seq++;
        }
        buffer.flip();
        try {
            while (buffer.hasRemaining()) {
                channel.write(buffer);
            }
            channel.force(false);
        } catch (IOException e) {
            try {
                channel.truncate(size);
                channel.position(size);
            } catch (IOException ignored) {
                // the next open() cuts the torn tail anyway
            }
            throw e;
        }
        size += total;
        nextSeq = seq;
        return first;
    }

    /** Writes a frame: length, checksum of the sequence number and the body, sequence number, body. */
    static void putFrame(ByteBuffer buffer, long seq, byte[] body) {
        CRC32C crc = new CRC32C();
        crc.update(ByteBuffer.allocate(8).putLong(0, seq));
        crc.update(body);
        buffer.putInt(body.length).putInt((int) crc.getValue()).putLong(seq).put(body);
    }

    /** The byte offset after the last record: where a snapshot of the current state starts replay. */
    public long size() {
        return size;
    }

    /** The sequence number the next record will get. */
    public long nextSeq() {
        return nextSeq;
    }

    /** What opening the log replayed and cut. */
    public Recovery recovery() {
        return recovery;
    }

    public Path file() {
        return file;
    }

    @Override
    public void close() throws IOException {
        channel.close();
    }
}
