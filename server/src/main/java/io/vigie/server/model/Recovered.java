package io.vigie.server.model;

import java.util.List;

/**
 * How a model came back at start: the snapshot it started from (null: none, from the log's
 * start), the newer snapshots that failed their checksum (moved aside), the log records
 * replayed after it, the torn tail cut from the log (moved aside), and how long it took.
 */
public record Recovered(Long snapshot, List<Long> unreadableSnapshots, long replayed, long tornBytes, long millis) {
    /** One line for the start-up output. */
    public String describe(String model) {
        StringBuilder line = new StringBuilder("model '" + model + "': ");
        line.append(snapshot == null ? "no snapshot" : "snapshot of version " + snapshot).append(", ")
                .append(String.format(java.util.Locale.ROOT, "%,d log records replayed in %.1f s", replayed, millis / 1000.0));
        if (!unreadableSnapshots.isEmpty()) {
            line.append("; unreadable snapshots moved aside: ").append(unreadableSnapshots);
        }
        if (tornBytes > 0) {
            line.append("; a torn log tail of ").append(tornBytes).append(" bytes cut (kept as log/*.torn-*)");
        }
        return line.toString();
    }
}
