package io.vigie.server.auth;

import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;
import io.vigie.server.store.PrivateFiles;

import javax.crypto.Mac;
import javax.crypto.spec.SecretKeySpec;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.GeneralSecurityException;
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
 * API keys with roles, stored in {@code <data-dir>/keys.json}: a key is shown once, when it is
 * created, and never again. What is stored is an HMAC-SHA256 of the key under the server's
 * secret ({@code <data-dir>/secret.key}, 32 random bytes): a {@code keys.json} that leaves the
 * machine without the secret (a backup, a copied file) is useless, and the same key has a
 * different hash on every server. Both files are the service user's alone ({@code 0600}, the data
 * dir {@code 0700}). Keys stored by earlier releases as a plain SHA-256 still authenticate; the
 * bootstrap admin key is stored anew at each start.
 *
 * <p>A bootstrap admin key chosen by an operator must have at least {@link #MIN_LENGTH}
 * characters, {@link #MIN_DISTINCT} of them different: a short or repetitive key is refused at
 * start rather than guessed later. Generated keys are 256 random bits.
 */
public final class ApiKeys {
    /** The shortest bootstrap admin key accepted. */
    public static final int MIN_LENGTH = 24;
    /** The fewest different characters a bootstrap admin key must hold. */
    public static final int MIN_DISTINCT = 10;

    /** A known key: its id (the first 12 hex digits of its stored hash, safe to log) and its roles. */
    public record Identity(String id, Set<Role> roles) {
        public boolean may(Role role) {
            return roles.contains(Role.ADMIN) || roles.contains(role);
        }
    }

    /** A newly created key: the secret, returned once, and its identity. */
    public record Created(String key, Identity identity) {
    }

    private record Stored(Identity identity, long createdAt, boolean legacy) {
    }

    private static final String PREFIX = "vigie_";
    private final Path file;
    private final Clock clock;
    private final byte[] secret;
    /** A keyed HMAC per thread: every request authenticates, and setting one up costs more than hashing the key. */
    private final ThreadLocal<Mac> macs = ThreadLocal.withInitial(this::newMac);
    private final SecureRandom random = new SecureRandom();
    /** By stored hash: the HMAC under the secret, or, for keys stored before it, the plain SHA-256. */
    private final Map<String, Stored> byHash = new ConcurrentHashMap<>();

    private ApiKeys(Path file, byte[] secret, Clock clock) {
        this.file = file;
        this.secret = secret;
        this.clock = clock;
    }

    /**
     * Loads the keys of a data dir. With {@code bootstrapAdminKey} (from VIGIE_ADMIN_KEY) that key
     * is made an admin key; without it and with no keys yet, an admin key is generated and
     * returned so that the caller prints it once.
     *
     * @throws IllegalArgumentException if the bootstrap key is too short or too repetitive
     */
    public static Loaded load(Path dataDir, String bootstrapAdminKey, Clock clock) throws IOException {
        if (bootstrapAdminKey != null && !bootstrapAdminKey.isBlank()) {
            requireStrong(bootstrapAdminKey);
        }
        PrivateFiles.ownDir(dataDir);
        ApiKeys keys = new ApiKeys(dataDir.resolve("keys.json"), secret(dataDir.resolve("secret.key")), clock);
        if (Files.exists(keys.file)) {
            PrivateFiles.own(keys.file);
            for (Object entry : new JsonObject(Files.readString(keys.file)).getJsonArray("keys")) {
                JsonObject key = (JsonObject) entry;
                Set<Role> roles = EnumSet.noneOf(Role.class);
                for (Object role : key.getJsonArray("roles")) {
                    roles.add(Role.parse((String) role));
                }
                boolean legacy = !key.containsKey("hmac");
                keys.byHash.put(legacy ? key.getString("sha256") : key.getString("hmac"),
                        new Stored(new Identity(key.getString("id"), roles), key.getLong("created_at"), legacy));
            }
        }
        String generated = null;
        if (bootstrapAdminKey != null && !bootstrapAdminKey.isBlank()) {
            keys.bootstrap(bootstrapAdminKey);
        } else if (keys.byHash.isEmpty()) {
            generated = keys.create(EnumSet.of(Role.ADMIN)).key();
        }
        return new Loaded(keys, generated);
    }

    /** The keys, and the admin key generated on first start (to print once), or null. */
    public record Loaded(ApiKeys keys, String generatedAdminKey) {
    }

    private static void requireStrong(String key) {
        long distinct = key.chars().distinct().count();
        if (key.length() < MIN_LENGTH || distinct < MIN_DISTINCT) {
            throw new IllegalArgumentException("the admin key (VIGIE_ADMIN_KEY) must have at least " + MIN_LENGTH
                    + " characters, " + MIN_DISTINCT + " of them different; it has " + key.length() + ", " + distinct
                    + " different. Generate one with: openssl rand -base64 32");
        }
    }

    /** The bootstrap key is an admin key, stored under the secret (replacing its plain SHA-256 from an earlier release). */
    private synchronized void bootstrap(String key) throws IOException {
        Stored legacy = byHash.remove(sha256(key));
        if (!byHash.containsKey(hmac(key)) || legacy != null) {
            Set<Role> roles = legacy != null ? legacy.identity().roles() : EnumSet.of(Role.ADMIN);
            add(hmac(key), roles.contains(Role.ADMIN) ? roles : EnumSet.of(Role.ADMIN));
        }
    }

    /** The server's secret: read, or created (32 random bytes, the owner's alone) on first start. */
    private static byte[] secret(Path file) throws IOException {
        if (Files.exists(file)) {
            PrivateFiles.own(file);
            byte[] secret = Files.readAllBytes(file);
            if (secret.length < 32) {
                throw new IOException("secret.key in the data dir holds " + secret.length + " bytes, not 32: it was damaged; "
                        + "restore it from a backup (without it the stored keys cannot be checked)");
            }
            return secret;
        }
        byte[] secret = new byte[32];
        new SecureRandom().nextBytes(secret);
        PrivateFiles.write(file, secret);
        return secret;
    }

    /** The identity of a presented key, or null if it is not a key of this service. */
    public Identity authenticate(String key) {
        if (key == null) {
            return null;
        }
        Stored stored = byHash.get(hmac(key));
        if (stored == null) {
            Stored legacy = byHash.get(sha256(key));
            stored = legacy != null && legacy.legacy() ? legacy : null;
        }
        return stored == null ? null : stored.identity();
    }

    /** Creates a key with roles; the returned secret is not stored anywhere. */
    public synchronized Created create(Set<Role> roles) throws IOException {
        byte[] bytes = new byte[32];
        random.nextBytes(bytes);
        String key = PREFIX + Base64.getUrlEncoder().withoutPadding().encodeToString(bytes);
        Identity identity = add(hmac(key), EnumSet.copyOf(roles));
        return new Created(key, identity);
    }

    private synchronized Identity add(String hash, Set<Role> roles) throws IOException {
        Identity identity = new Identity(hash.substring(0, 12), Set.copyOf(roles));
        byHash.put(hash, new Stored(identity, clock.millis(), false));
        save();
        return identity;
    }

    private void save() throws IOException {
        JsonArray stored = new JsonArray();
        byHash.forEach((hash, key) -> stored.add(new JsonObject().put("id", key.identity().id()).put(key.legacy() ? "sha256" : "hmac", hash)
                .put("roles", new JsonArray(key.identity().roles().stream().map(Role::code).sorted().toList()))
                .put("created_at", key.createdAt())));
        PrivateFiles.write(file, new JsonObject().put("keys", stored).encodePrettily().getBytes(StandardCharsets.UTF_8));
    }

    private String hmac(String key) {
        return HexFormat.of().formatHex(macs.get().doFinal(key.getBytes(StandardCharsets.UTF_8))); // doFinal leaves it ready for the next
    }

    private Mac newMac() {
        try {
            Mac mac = Mac.getInstance("HmacSHA256");
            mac.init(new SecretKeySpec(secret, "HmacSHA256"));
            return mac;
        } catch (GeneralSecurityException e) {
            throw new IllegalStateException("every JVM has HmacSHA256", e);
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
