package io.vigie.server.store;

import java.io.BufferedInputStream;
import java.io.ByteArrayInputStream;
import java.io.DataInputStream;
import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.channels.Channels;
import java.nio.channels.FileChannel;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.nio.file.StandardOpenOption;
import java.util.ArrayList;
import java.util.List;
import java.util.NavigableMap;

/**
 * Repairs a model's log that is damaged in the middle ({@link LogDamagedException}), for an
 * operator who has decided to go on without what cannot be read. Every record that reads is kept
 * with its sequence number; each run of damaged bytes becomes one {@link LogRecord.Lost} record
 * per sequence number it held, so the versions after it keep their numbers; a torn tail is cut as
 * opening would cut it. The log as it was is kept beside the new one
 * ({@code <segment>.before-repair-<millis>}), and the ids of the lost records are named where
 * their bytes still tell them, so their events can be sent again.
 */
public final class LogRepair {
    /** What the repair did. */
    public record Report(long kept, List<Long> lostSeqs, List<String> lostIds, long tornBytes, Path original) {
        public boolean changed() {
            return !lostSeqs.isEmpty() || tornBytes > 0;
        }
    }

    private LogRepair() {
    }

    /**
     * Repairs a log of segments ({@link EventLog#DIR}) as one: they are joined, the join is repaired,
     * and it replaces them as one segment at the first one's offset (the offsets before the damage
     * do not move). The segments as they were are kept beside, each as {@code <name>.before-repair-<millis>}.
     */
    public static Report repairSegments(Path dir, long nowMillis, boolean dryRun) throws IOException {
        NavigableMap<Long, Path> segments = EventLog.list(dir);
        if (segments.isEmpty()) {
            throw new IOException("no log segments in " + dir);
        }
        Path joined = dir.resolve("joined-" + nowMillis + ".repairing");
        try (FileChannel out = FileChannel.open(joined, StandardOpenOption.CREATE, StandardOpenOption.WRITE,
                StandardOpenOption.TRUNCATE_EXISTING)) {
            for (Path segment : segments.values()) {
                try (FileChannel in = FileChannel.open(segment, StandardOpenOption.READ)) {
                    EventLog.transfer(in, 0, in.size(), out);
                }
            }
            out.force(true);
        }
        Report report = repair(joined, nowMillis, dryRun);
        if (dryRun || !report.changed()) {
            Files.delete(joined);
            return new Report(report.kept(), report.lostSeqs(), report.lostIds(), report.tornBytes(), null);
        }
        Files.delete(report.original()); // the join as it was: the segments themselves are kept
        Path first = null;
        for (Path segment : segments.values()) {
            Path kept = segment.resolveSibling(segment.getFileName() + ".before-repair-" + nowMillis);
            Files.move(segment, kept, StandardCopyOption.ATOMIC_MOVE);
            first = first == null ? kept : first;
        }
        Files.move(joined, dir.resolve(EventLog.segmentName(segments.firstKey())), StandardCopyOption.ATOMIC_MOVE);
        return new Report(report.kept(), report.lostSeqs(), report.lostIds(), report.tornBytes(), first);
    }

    /**
     * Scans a log and, unless {@code dryRun}, rewrites it; the service must not be running on it.
     * The report says what was, or would be, done.
     */
    public static Report repair(Path log, long nowMillis, boolean dryRun) throws IOException {
        Path repaired = log.resolveSibling(log.getFileName() + ".repairing");
        List<Long> lostSeqs = new ArrayList<>();
        List<String> lostIds = new ArrayList<>();
        long kept = 0;
        long torn = 0;
        try (FileChannel in = FileChannel.open(log, StandardOpenOption.READ);
             FileChannel out = dryRun ? null : FileChannel.open(repaired, StandardOpenOption.CREATE, StandardOpenOption.WRITE,
                     StandardOpenOption.TRUNCATE_EXISTING)) {
            long size = in.size();
            long offset = 0;
            long seq = firstSeq(in, size);
            while (offset < size) {
                DataInputStream frames = new DataInputStream(new BufferedInputStream(Channels.newInputStream(in.position(offset)), 1 << 16));
                while (offset < size) {
                    LogFrames.Frame frame = LogFrames.readFrame(frames, size - offset, seq);
                    if (frame == null) {
                        break;
                    }
                    write(out, seq, LogRecord.encode(frame.record()));
                    offset += LogFrames.HEADER + frame.bodyLength();
                    seq++;
                    kept++;
                }
                if (offset >= size) {
                    break;
                }
                long resumes = LogFrames.nextValidFrame(in, offset, size, seq);
                if (resumes < 0) {
                    torn = size - offset; // nothing valid follows: a torn tail, cut as opening cuts it
                    break;
                }
                long resumesAt = seqAt(in, resumes);
                String id = idIn(in, offset, resumes);
                for (long s = seq; s < resumesAt; s++) {
                    lostSeqs.add(s);
                    write(out, s, LogRecord.encode(new LogRecord.Lost(offset, s == seq ? id : "", nowMillis)));
                }
                if (!id.isEmpty()) {
                    lostIds.add(id);
                }
                seq = resumesAt;
                offset = resumes;
            }
            if (out != null) {
                out.force(true);
            }
        }
        Path original = log.resolveSibling(log.getFileName() + ".before-repair-" + nowMillis);
        if (dryRun) {
            return new Report(kept, lostSeqs, lostIds, torn, null);
        }
        Files.move(log, original, StandardCopyOption.ATOMIC_MOVE);
        Files.move(repaired, log, StandardCopyOption.ATOMIC_MOVE);
        return new Report(kept, lostSeqs, lostIds, torn, original);
    }

    private static void write(FileChannel out, long seq, byte[] body) throws IOException {
        if (out == null) {
            return;
        }
        ByteBuffer frame = ByteBuffer.allocate(LogFrames.HEADER + body.length);
        LogFrames.putFrame(frame, seq, body);
        frame.flip();
        while (frame.hasRemaining()) {
            out.write(frame);
        }
    }

    /** The sequence number of the log's first frame if it reads, else 1 (a log never cut starts there). */
    private static long firstSeq(FileChannel in, long size) throws IOException {
        if (size < LogFrames.HEADER) {
            return 1;
        }
        long seq = seqAt(in, 0);
        DataInputStream first = new DataInputStream(new BufferedInputStream(Channels.newInputStream(in.position(0))));
        return LogFrames.readFrame(first, size, seq) != null ? seq : 1;
    }

    private static long seqAt(FileChannel in, long offset) throws IOException {
        ByteBuffer seq = ByteBuffer.allocate(8);
        in.read(seq, offset + 8);
        return seq.getLong(0);
    }

    /**
     * The event id a damaged frame seems to hold, read past its failed checksum when its length and
     * the start of its body still make sense (a flipped bit in a feature value leaves the id
     * whole); "" if it does not parse.
     */
    private static String idIn(FileChannel in, long from, long to) throws IOException {
        long length = to - from - LogFrames.HEADER;
        if (length <= 0 || length > (64 << 20)) {
            return "";
        }
        ByteBuffer body = ByteBuffer.allocate((int) length);
        in.read(body, from + LogFrames.HEADER);
        try {
            LogRecord record = LogRecord.decode(new DataInputStream(new ByteArrayInputStream(body.array())));
            if (record instanceof LogRecord.Label label) {
                return label.id();
            }
            if (record instanceof LogRecord.ImpliedLabel implied) {
                return implied.id();
            }
            return record instanceof LogRecord.LabelledEvent event ? event.id() : "";
        } catch (IOException | RuntimeException unreadable) {
            return "";
        }
    }
}
