package io.vigie.server.model;

import io.vigie.server.store.LogRecord;
import io.vigie.server.store.PendingEvents;

import java.util.List;
import java.util.Map;
import java.util.concurrent.CompletableFuture;

/**
 * Where a model's log is kept beyond this instance, in a cluster: the instance that owns a model
 * publishes each commit's records there before it applies them, and the other instances follow
 * it, applying the same records in the same order to their own copies, so that whichever takes the
 * model over next has its state. A single instance has none.
 */
public interface ReplicatedLog {
    /** Whether this instance writes the model's log now; otherwise its copy only follows the owner's. */
    boolean leads(String model);

    /**
     * Publishes a commit's records, numbered from {@code firstSeq}, and returns once they are
     * durable; nothing of them is visible to followers if it throws.
     *
     * @throws io.vigie.server.ApiProblem 503 when they could not be published (this instance no
     *                                    longer owns the model, or the cluster's log is unreachable)
     */
    void publish(ModelDefinition model, long firstSeq, List<LogRecord> records);

    /**
     * Publishes events just scored, which wait here for their labels, and the entities' histories
     * their scoring changed (by key; empty for a model without aggregates), so that whichever
     * instance owns the model next can join those labels too and compute the same windows. Completes once they are durable; they are
     * published before any record published after this call, so a label is never followed before
     * the event it labels.
     */
    CompletableFuture<Void> publishScored(ModelDefinition model, List<PendingEvents.Scoring> scorings, Map<String, double[]> histories);

    /**
     * A version of the model as its owner keeps it (the snapshot file's bytes), or null if the
     * cluster does not hold it: a copy that replays a rollback to a version it never took reads it
     * here. Blocking.
     */
    byte[] version(ModelDefinition model, long version);

    /**
     * Makes sure the cluster holds a version of the model (its snapshot file's bytes) before a
     * rollback to it is published: the other instances replay the rollback with it. Blocking.
     */
    void keepVersion(ModelDefinition model, long version, byte[] snapshot);
}
