package io.vigie.server.auth;

import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;
import io.vigie.learner.Snapshots;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.security.SecureRandom;
import java.time.Clock;
import java.util.Base64;
import java.util.EnumSet;
import java.util.HexFormat;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;

/**
 * API keys with roles, stored in {@code <data-dir>/keys.json} as SHA-256 hashes only: a key is
 * shown once, when it is created, and never again. Keys are 256 random bits, so a plain hash
 * (no salt, no stretching) is enough to make a stolen file useless.
 */
public final class ApiKeys {
    /** A known key: its id (the first 12 hex digits of its hash, safe to log) and its roles. */
    public record Identity(String id, Set<Role> roles) {
        public boolean may(Role role) {
            return roles.contains(Role.ADMIN) || roles.contains(role);
        }
    }

    /** A newly created key: the secret, returned once, and its identity. */
    public record Created(String key, Identity identity) {
    }

    private static final String PREFIX = "vigie_";
    private final Path file;
    private final Clock clock;
    private final SecureRandom random = new SecureRandom();
    private final Map<String, Identity> byHash = new ConcurrentHashMap<>();
    private final Map<String, Long> createdAt = new ConcurrentHashMap<>();

    private ApiKeys(Path file, Clock clock) {
        this.file = file;
        this.clock = clock;
    }

    /**
     * Loads the keys of a data dir. With {@code bootstrapAdminKey} (from VIGIE_ADMIN_KEY) that key
     * is made an admin key; without it and with no keys yet, an admin key is generated and
     * returned so that the caller prints it once.
     */
    public static Loaded load(Path dataDir, String bootstrapAdminKey, Clock clock) throws IOException {
        ApiKeys keys = new ApiKeys(Files.createDirectories(dataDir).resolve("keys.json"), clock);
        if (Files.exists(keys.file)) {
            JsonArray stored = new JsonObject(Files.readString(keys.file)).getJsonArray("keys");
            for (Object entry : stored) {
                JsonObject key = (JsonObject) entry;
                Set<Role> roles = EnumSet.noneOf(Role.class);
                for (Object role : key.getJsonArray("roles")) {
                    roles.add(Role.parse((String) role));
                }
                keys.byHash.put(key.getString("sha256"), new Identity(key.getString("id"), roles));
                keys.createdAt.put(key.getString("sha256"), key.getLong("created_at"));
            }
        }
        String generated = null;
        if (bootstrapAdminKey != null && !bootstrapAdminKey.isBlank()) {
            String hash = sha256(bootstrapAdminKey);
            if (!keys.byHash.containsKey(hash)) {
                keys.add(hash, EnumSet.of(Role.ADMIN));
            }
        } else if (keys.byHash.isEmpty()) {
            generated = keys.create(EnumSet.of(Role.ADMIN)).key();
        }
        return new Loaded(keys, generated);
    }

    /** The keys, and the admin key generated on first start (to print once), or null. */
    public record Loaded(ApiKeys keys, String generatedAdminKey) {
    }

    /** The identity of a presented key, or null if it is not a key of this service. */
    public Identity authenticate(String key) {
        return key == null ? null : byHash.get(sha256(key));
    }

    /** Creates a key with roles; the returned secret is not stored anywhere. */
    public synchronized Created create(Set<Role> roles) throws IOException {
        byte[] secret = new byte[32];
        random.nextBytes(secret);
        String key = PREFIX + Base64.getUrlEncoder().withoutPadding().encodeToString(secret);
        Identity identity = add(sha256(key), EnumSet.copyOf(roles));
        return new Created(key, identity);
    }

    private synchronized Identity add(String hash, Set<Role> roles) throws IOException {
        Identity identity = new Identity(hash.substring(0, 12), Set.copyOf(roles));
        byHash.put(hash, identity);
        createdAt.put(hash, clock.millis());
        save();
        return identity;
    }

    private void save() throws IOException {
        JsonArray stored = new JsonArray();
        byHash.forEach((hash, identity) -> stored.add(new JsonObject().put("id", identity.id()).put("sha256", hash)
                .put("roles", new JsonArray(identity.roles().stream().map(Role::code).sorted().toList()))
                .put("created_at", createdAt.get(hash))));
        try {
            Snapshots.save(file, new JsonObject().put("keys", stored).encodePrettily().getBytes(StandardCharsets.UTF_8));
        } catch (UncheckedIOException e) {
            throw e.getCause();
        }
    }

    static String sha256(String key) {
        try {
            return HexFormat.of().formatHex(MessageDigest.getInstance("SHA-256").digest(key.getBytes(StandardCharsets.UTF_8)));
        } catch (NoSuchAlgorithmException e) {
            throw new IllegalStateException("every JVM has SHA-256", e);
        }
    }
}
