package io.vigie.server.audit;

import io.vertx.core.json.JsonObject;

import java.io.IOException;
import java.util.List;

/**
 * Where every change made through the API is recorded, before it is answered: this instance's
 * {@link AuditLog}, or its cluster's. Entries are numbered from 1 in the order they were recorded.
 */
public interface Audit {
    /**
     * Records a change that was made; returns the entry, numbered.
     *
     * @param keyId   the id of the key that made it
     * @param role    the role the route needed
     * @param action  what was done, such as {@code model.create} or {@code challenger.promote}
     * @param model   the model it touched, or null
     * @param details what else says what happened: versions before and after, names
     * @throws IOException if it could not be recorded (the change is then answered 503)
     */
    JsonObject append(String keyId, String role, String action, String model, JsonObject details) throws IOException;

    /** Entries after a sequence number, oldest first, at most {@code limit}. */
    List<JsonObject> after(long seq, int limit);
}
