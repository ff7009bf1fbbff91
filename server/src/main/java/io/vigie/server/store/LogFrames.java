package io.vigie.server.store;

import java.io.ByteArrayInputStream;
import java.io.DataInputStream;
import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.channels.FileChannel;
import java.util.zip.CRC32C;

/**
 * The frame of a log record: {@code [int length][int crc32c][long seq][body]}, the checksum
 * covering the sequence number and the body. Reading stops at the first frame that is short,
 * fails its checksum or breaks the sequence; {@link #nextValidFrame} tells damage in the middle
 * from a torn tail.
 */
final class LogFrames {
    static final int HEADER = 4 + 4 + 8;

    private LogFrames() {
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

    /** Writes a frame: length, checksum of the sequence number and the body, sequence number, body. */
    static void putFrame(ByteBuffer buffer, long seq, byte[] body) {
        CRC32C crc = new CRC32C();
        crc.update(ByteBuffer.allocate(8).putLong(0, seq));
        crc.update(body);
        buffer.putInt(body.length).putInt((int) crc.getValue()).putLong(seq).put(body);
    }
}
