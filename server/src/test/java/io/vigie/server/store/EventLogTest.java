package io.vigie.server.store;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.io.IOException;
import java.io.RandomAccessFile;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** The log in segments: offsets that hold across segments, old segments deleted, damage told from a torn tail. */
class EventLogTest {
    private static final long SEGMENT = 4096;

    @TempDir
    Path modelDir;

    /** What a replay saw: each record's sequence number, id and the offset after it. */
    private record Seen(long seq, String id, long end) {
    }

    private static LogRecord event(int i) {
        return new LogRecord.LabelledEvent("e" + i, new double[]{i, i * 0.5, -i}, i % 2, 1_000L + i, null);
    }

    /** Appends {@code count} records in batches of 10; returns the offset after each record. */
    private static List<Long> append(EventLog log, int from, int count) throws IOException {
        List<Long> ends = new ArrayList<>();
        for (int i = from; i < from + count; i += 10) {
            List<LogRecord> batch = new ArrayList<>();
            for (int k = i; k < Math.min(from + count, i + 10); k++) {
                batch.add(event(k));
            }
            log.append(batch);
            ends.add(log.size());
        }
        return ends;
    }

    private List<Seen> replay(long fromOffset, long fromVersion) throws IOException {
        List<Seen> seen = new ArrayList<>();
        try (EventLog ignored = EventLog.open(modelDir, SEGMENT, fromOffset, fromVersion,
                (seq, record, end) -> seen.add(new Seen(seq, ((LogRecord.LabelledEvent) record).id(), end)))) {
            return seen;
        }
    }

    @Test
    void aLogRollsIntoSegments_andReplaysFromAnyOffsetAcrossThem() throws IOException {
        List<Long> ends;
        try (EventLog log = EventLog.open(modelDir, SEGMENT, 0, 0, (seq, record, end) -> { })) {
            ends = append(log, 0, 600);
            assertTrue(log.segments().size() >= 5, "segments: " + log.segments().keySet());
            for (Map.Entry<Long, Path> segment : log.segments().entrySet()) {
                assertEquals(String.format("%020d.log", segment.getKey()), segment.getValue().getFileName().toString());
            }
        }
        List<Seen> all = replay(0, 0);
        assertEquals(600, all.size());
        for (int i = 0; i < 600; i++) {
            assertEquals(i + 1, all.get(i).seq());
            assertEquals("e" + i, all.get(i).id());
        }
        // from the middle of the log, as a snapshot taken after batch 37 would
        long offset = ends.get(36);
        List<Seen> tail = replay(offset, 370);
        assertEquals(all.subList(370, 600), tail);
    }

    @Test
    void segmentsBehindTheOldestSnapshot_areDeleted_andTheLogGoesOn() throws IOException {
        List<Long> ends;
        long freed;
        try (EventLog log = EventLog.open(modelDir, SEGMENT, 0, 0, (seq, record, end) -> { })) {
            ends = append(log, 0, 600);
            int before = log.segments().size();
            long needed = ends.get(40); // a snapshot after record 410
            freed = log.deleteBefore(needed);
            assertTrue(freed > 0);
            assertTrue(log.start() <= needed && log.segments().size() < before, "segments left: " + log.segments().keySet());
            append(log, 600, 50);
        }
        List<Seen> fromSnapshot = replay(ends.get(40), 410);
        assertEquals(240, fromSnapshot.size());
        assertEquals("e649", fromSnapshot.get(239).id());
        IOException gone = assertThrows(IOException.class, () -> replay(0, 0));
        assertTrue(gone.getMessage().contains("deleted"), gone.getMessage());

        long end;
        long version;
        try (EventLog log = EventLog.open(modelDir, SEGMENT, ends.get(40), 410, (seq, record, e) -> { })) {
            log.deleteBefore(Long.MAX_VALUE);
            assertEquals(1, log.segments().size(), "the segment appended to stays");
            end = log.size();
            version = log.nextSeq() - 1;
            append(log, 650, 10);
        }
        assertEquals(10, replay(end, version).size());
    }

    @Test
    void aTornTailIsCutInTheLastSegment_damageInAnEarlierOneStopsTheLog() throws IOException {
        try (EventLog log = EventLog.open(modelDir, SEGMENT, 0, 0, (seq, record, end) -> { })) {
            append(log, 0, 300);
        }
        Map<Long, Path> segments = EventLog.list(modelDir.resolve(EventLog.DIR));
        Path last = ((java.util.NavigableMap<Long, Path>) segments).lastEntry().getValue();
        long lastSize = Files.size(last);
        Files.write(last, new byte[]{1, 2, 3, 4, 5, 6, 7, 8, 9, 10, 11, 12, 13, 14, 15, 16, 17}, StandardOpenOption.APPEND);
        try (EventLog log = EventLog.open(modelDir, SEGMENT, 0, 0, (seq, record, end) -> { })) {
            assertEquals(17, log.recovery().tornBytes());
            assertEquals(300, log.recovery().replayed());
            assertEquals(lastSize, Files.size(last));
            assertEquals(301, log.nextSeq());
        }
        Path first = segments.get(0L);
        try (RandomAccessFile file = new RandomAccessFile(first.toFile(), "rw")) {
            file.seek(100);
            int b = file.read();
            file.seek(100);
            file.write(b ^ 0x01);
        }
        long firstSize = Files.size(first);
        assertThrows(LogDamagedException.class, () -> replay(0, 0));
        assertEquals(firstSize, Files.size(first), "nothing acknowledged is cut");
    }

    @Test
    void aLogOfOneFile_fromBeforeSegments_becomesTheFirstSegment() throws IOException {
        try (EventLog log = EventLog.open(modelDir, SEGMENT, 0, 0, (seq, record, end) -> { })) {
            append(log, 0, 20);
        }
        Path segment = modelDir.resolve(EventLog.DIR).resolve("00000000000000000000.log");
        Files.move(segment, modelDir.resolve(EventLog.SINGLE_FILE));
        Files.delete(modelDir.resolve(EventLog.DIR));
        assertEquals(20, replay(0, 0).size());
        assertTrue(Files.exists(segment));
        assertTrue(Files.notExists(modelDir.resolve(EventLog.SINGLE_FILE)));
    }
}
