package io.vigie.server.store;

import java.util.TreeMap;

/**
 * The last stream offset a model's log holds from each source partition. Kept by the writer as it
 * applies records (live and at replay) and written into each snapshot, so after any crash it says
 * exactly which redelivered records the log already has: those are skipped, the rest learned.
 */
public final class SourcePositions {
    private final TreeMap<String, Long> last = new TreeMap<>();

    /** Whether the log already holds this record (its offset is at or before the last one logged). */
    public boolean holds(LogRecord.Source source) {
        Long logged = last.get(source.partitionKey());
        return logged != null && source.offset() <= logged;
    }

    public void advance(LogRecord.Source source) {
        last.merge(source.partitionKey(), source.offset(), Math::max);
    }

    /** As a snapshot attribute: {@code topic/partition=offset} pairs joined by commas. */
    public String encode() {
        StringBuilder text = new StringBuilder();
        last.forEach((partition, offset) -> text.append(text.isEmpty() ? "" : ",").append(partition).append('=').append(offset));
        return text.toString();
    }

    public static SourcePositions parse(String encoded) {
        SourcePositions positions = new SourcePositions();
        if (encoded != null && !encoded.isEmpty()) {
            for (String pair : encoded.split(",")) {
                int eq = pair.lastIndexOf('=');
                positions.last.put(pair.substring(0, eq), Long.parseLong(pair.substring(eq + 1)));
            }
        }
        return positions;
    }
}
