package io.vigie.server.auth;

import java.io.IOException;
import java.util.Set;

/** How API keys are made and revoked: in this instance's data dir ({@link ApiKeys}), or for a whole cluster. */
public interface KeyChanges {
    /**
     * Makes a key with roles, scoped to {@code models} (empty: every model), expiring at
     * {@code expiresAt} (epoch ms; 0: never); the returned secret is not stored anywhere.
     */
    ApiKeys.Created create(Set<Role> roles, Set<String> models, long expiresAt) throws IOException;

    /**
     * Revokes a key at once. False if no key has that id.
     *
     * @throws ApiKeys.LastAdminKeyException if it is the last admin key for every model that never expires
     */
    boolean revoke(String id) throws IOException, ApiKeys.LastAdminKeyException;
}
