package io.vigie.learner;

import java.time.Instant;
import java.util.Map;

/**
 * Where a snapshot's model came from: enough to rebuild it by replaying the same stream.
 *
 * @param spec              the model spec, seed included
 * @param schemaFingerprint SHA-256 of the schema's encoded form
 * @param learned           labelled instances the model had learned
 * @param createdAt         when the snapshot was written (from the injected clock)
 * @param vigieVersion      the Vigie build that wrote it
 * @param javaVersion       the JVM that wrote it ({@code Math} may differ across platforms)
 * @param attributes        anything else the writer records: log offset, metrics, counters
 */
public record SnapshotProvenance(ModelSpec spec, String schemaFingerprint, long learned, Instant createdAt,
                                 String vigieVersion, String javaVersion, Map<String, String> attributes) {
    public SnapshotProvenance {
        attributes = Map.copyOf(attributes);
    }
}
