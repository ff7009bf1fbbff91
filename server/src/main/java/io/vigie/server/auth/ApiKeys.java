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
import java.time.Instant;
import java.util.ArrayList;
import java.util.Base64;
import java.util.EnumSet;
import java.util.HexFormat;
import java.util.List;
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
 * <p>A key may be scoped to some models (it reaches only their routes) and may expire. Keys are
 * listed without their secret (id, roles, models, created, last used, expiry) and revoked by id,
 * at once. The bootstrap admin key (VIGIE_ADMIN_KEY) is marked as such: started with another
 * one, the service revokes the one before, so that rotating the variable rotates the key.
 *
 * <p>A bootstrap admin key chosen by an operator must have at least {@link #MIN_LENGTH}
 * characters, {@link #MIN_DISTINCT} of them different: a short or repetitive key is refused at
 * start rather than guessed later. Generated keys are 256 random bits.
 */
public final class ApiKeys implements KeyChanges {
    /** The shortest bootstrap admin key accepted. */
    public static final int MIN_LENGTH = 24;
    /** The fewest different characters a bootstrap admin key must hold. */
    public static final int MIN_DISTINCT = 10;

    /** How often a key's last use is noted: every request authenticates, and the second is what an operator reads. */
    private static final long LAST_USED_RESOLUTION_MS = 1000;

    /**
     * A known key: its id (the first 12 hex digits of its stored hash, safe to log), its roles, the
     * models it is scoped to (empty: every model) and when it expires (0: never).
     */
    public record Identity(String id, Set<Role> roles, Set<String> models, long expiresAt) {
        public boolean may(Role role) {
            return roles.contains(Role.ADMIN) || roles.contains(role);
        }

        /** Whether the key reaches {@code model}'s routes. */
        public boolean reaches(String model) {
            return models.isEmpty() || models.contains(model);
        }

        public boolean scoped() {
            return !models.isEmpty();
        }

        public boolean expired(long nowMillis) {
            return expiresAt > 0 && nowMillis >= expiresAt;
        }

        /** Its roles, the models it is scoped to and its expiry, as answers and the audit log show them. */
        public JsonObject describe() {
            return new JsonObject().put("roles", codes(roles)).put("models", new JsonArray(models.stream().sorted().toList()))
                    .put("expires_at", expiresAt == 0 ? null : Instant.ofEpochMilli(expiresAt).toString());
        }
    }

    /** A newly created key: the secret, returned once, and its identity. */
    public record Created(String key, Identity identity) {
    }

    /**
     * A key as kept: {@code legacy} when known by the plain SHA-256 of its secret (stored before
     * the HMAC), {@code cluster} when it is its cluster's (known by the SHA-256 too, since every
     * instance must recognise it and each has its own HMAC secret; kept in memory only, the
     * cluster's control topic being where it lives).
     */
    private record Stored(Identity identity, long createdAt, boolean legacy, boolean bootstrap, boolean cluster) {
        Stored(Identity identity, long createdAt, boolean legacy, boolean bootstrap) {
            this(identity, createdAt, legacy, bootstrap, false);
        }
    }

    /** A revocation refused: revoking the last admin key that is neither scoped nor expiring would lock every operator out. */
    public static final class LastAdminKeyException extends Exception {
        LastAdminKeyException(String id) {
            super("key '" + id + "' is the last admin key for every model without an expiry: create another before revoking it");
        }
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
    /** By key id: when it last authenticated (epoch ms), kept in memory and written with the keys. */
    private final Map<String, Long> lastUsed = new ConcurrentHashMap<>();

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
                Set<String> models = new java.util.TreeSet<>();
                key.getJsonArray("models", new JsonArray()).forEach(m -> models.add((String) m));
                boolean legacy = !key.containsKey("hmac");
                Identity identity = new Identity(key.getString("id"), roles, Set.copyOf(models), key.getLong("expires_at", 0L));
                keys.byHash.put(legacy ? key.getString("sha256") : key.getString("hmac"),
                        new Stored(identity, key.getLong("created_at"), legacy, key.getBoolean("bootstrap", false)));
                if (key.containsKey("last_used_at")) {
                    keys.lastUsed.put(identity.id(), key.getLong("last_used_at"));
                }
            }
        }
        String generated = null;
        Bootstrap bootstrap = null;
        if (bootstrapAdminKey != null && !bootstrapAdminKey.isBlank()) {
            bootstrap = keys.bootstrap(bootstrapAdminKey);
        } else if (keys.byHash.isEmpty()) {
            Created first = keys.create(EnumSet.of(Role.ADMIN), Set.of(), 0);
            generated = first.key();
            bootstrap = new Bootstrap(first.identity().id(), List.of()); // made at start: recorded like the env's key
        }
        return new Loaded(keys, generated, bootstrap);
    }

    /**
     * The keys; the admin key generated on first start (to print once), or null; and what the
     * bootstrap key changed (for the audit log), or null when it changed nothing.
     */
    public record Loaded(ApiKeys keys, String generatedAdminKey, Bootstrap bootstrapChange) {
    }

    /** A bootstrap admin key stored at this start, and the ids of the bootstrap keys it replaced. */
    public record Bootstrap(String id, List<String> replaced) {
    }

    private static void requireStrong(String key) {
        long distinct = key.chars().distinct().count();
        if (key.length() < MIN_LENGTH || distinct < MIN_DISTINCT) {
            throw new IllegalArgumentException("the admin key (VIGIE_ADMIN_KEY) must have at least " + MIN_LENGTH
                    + " characters, " + MIN_DISTINCT + " of them different; it has " + key.length() + ", " + distinct
                    + " different. Generate one with: openssl rand -base64 32");
        }
    }

    /**
     * The bootstrap key is an admin key for every model, stored under the secret (replacing its
     * plain SHA-256 from an earlier release) and marked as the bootstrap key; a bootstrap key of an
     * earlier start that is not this one is revoked. Null when no key was made or revoked.
     */
    private synchronized Bootstrap bootstrap(String key) throws IOException {
        String hash = hmac(key);
        List<String> replaced = new ArrayList<>();
        byHash.entrySet().removeIf(e -> {
            boolean former = e.getValue().bootstrap() && !e.getKey().equals(hash);
            if (former) {
                replaced.add(e.getValue().identity().id());
            }
            return former;
        });
        Stored legacy = byHash.remove(sha256(key));
        Stored stored = byHash.get(hash);
        Identity identity = new Identity(hash.substring(0, 12), Set.of(Role.ADMIN), Set.of(), 0);
        if (stored == null || !stored.bootstrap() || legacy != null || !replaced.isEmpty()) {
            byHash.put(hash, new Stored(identity, stored != null ? stored.createdAt() : clock.millis(), false, true));
            save();
        }
        // a key stored anew (not the same key upgraded to the marker or the HMAC) or keys replaced: a change to audit
        boolean created = stored == null && legacy == null;
        return created || !replaced.isEmpty() ? new Bootstrap(identity.id(), List.copyOf(replaced)) : null;
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

    /**
     * The identity of a presented key (expired or not: the caller says which), or null if it is
     * not a key of this service. Notes when it was used.
     */
    public Identity authenticate(String key) {
        if (key == null) {
            return null;
        }
        Stored stored = byHash.get(hmac(key));
        if (stored == null) {
            Stored legacy = byHash.get(sha256(key));
            stored = legacy != null && (legacy.legacy() || legacy.cluster()) ? legacy : null;
        }
        if (stored == null) {
            return null;
        }
        long now = clock.millis();
        Long last = lastUsed.get(stored.identity().id());
        if (last == null || now - last >= LAST_USED_RESOLUTION_MS) {
            lastUsed.put(stored.identity().id(), now);
        }
        return stored.identity();
    }

    /** Whether a key has expired, by this service's clock. */
    public boolean expired(Identity identity) {
        return identity.expired(clock.millis());
    }

    /**
     * Creates a key with roles, scoped to {@code models} (empty: every model), expiring at
     * {@code expiresAt} (epoch ms; 0: never); the returned secret is not stored anywhere.
     */
    @Override
    public synchronized Created create(Set<Role> roles, Set<String> models, long expiresAt) throws IOException {
        byte[] bytes = new byte[32];
        random.nextBytes(bytes);
        String key = PREFIX + Base64.getUrlEncoder().withoutPadding().encodeToString(bytes);
        String hash = hmac(key);
        Identity identity = new Identity(hash.substring(0, 12), Set.copyOf(roles), Set.copyOf(models), expiresAt);
        byHash.put(hash, new Stored(identity, clock.millis(), false, false));
        save();
        return new Created(key, identity);
    }

    /**
     * A new key of the cluster, not kept here: it is kept once its cluster's control topic brings
     * it back ({@link #adopt}). The secret is 32 random bytes, so its plain SHA-256 gives nothing away.
     */
    public Created mint(Set<Role> roles, Set<String> models, long expiresAt) {
        byte[] bytes = new byte[32];
        random.nextBytes(bytes);
        String key = PREFIX + Base64.getUrlEncoder().withoutPadding().encodeToString(bytes);
        return new Created(key, new Identity(sha256(key).substring(0, 12), Set.copyOf(roles), Set.copyOf(models), expiresAt));
    }

    /** Keeps a key of the cluster, known by the SHA-256 of its secret, in memory only. */
    public void adopt(Identity identity, String sha256, long createdAt) {
        byHash.put(sha256, new Stored(identity, createdAt, false, false, true));
    }

    /** Drops a key of the cluster (revoked there). */
    public void forget(String id) {
        byHash.values().removeIf(s -> s.cluster() && s.identity().id().equals(id));
        lastUsed.remove(id);
    }

    /** Whether the key of this id is its cluster's. */
    public boolean ofCluster(String id) {
        return byHash.values().stream().anyMatch(s -> s.cluster() && s.identity().id().equals(id));
    }

    /**
     * Revokes a key at once. False if no key has that id.
     *
     * @throws LastAdminKeyException if it is the last admin key for every model that never expires
     */
    @Override
    public synchronized boolean revoke(String id) throws IOException, LastAdminKeyException {
        String hash = revocable(id);
        if (hash == null) {
            return false;
        }
        byHash.remove(hash);
        lastUsed.remove(id);
        save();
        return true;
    }

    /**
     * The stored hash of the key of that id, if it may be revoked; null if no key has that id.
     *
     * @throws LastAdminKeyException if it is the last admin key for every model that never expires
     */
    public String revocable(String id) throws LastAdminKeyException {
        String hash = byHash.entrySet().stream().filter(e -> e.getValue().identity().id().equals(id)).map(Map.Entry::getKey)
                .findFirst().orElse(null);
        if (hash == null) {
            return null;
        }
        boolean keeper = keepsTheServiceReachable(byHash.get(hash).identity());
        if (keeper && byHash.values().stream().filter(s -> keepsTheServiceReachable(s.identity())).count() == 1) {
            throw new LastAdminKeyException(id);
        }
        return hash;
    }

    private static boolean keepsTheServiceReachable(Identity identity) {
        return identity.roles().contains(Role.ADMIN) && !identity.scoped() && identity.expiresAt() == 0;
    }

    /** Every key as an operator may see it, oldest first: id, roles, models, created, last used, expiry; never a secret or hash. */
    public List<JsonObject> describe() {
        long now = clock.millis();
        return byHash.values().stream().sorted(java.util.Comparator.comparingLong(Stored::createdAt)
                .thenComparing(s -> s.identity().id())).map(s -> {
            Identity identity = s.identity();
            Long used = lastUsed.get(identity.id());
            return identity.describe().put("id", identity.id())
                    .put("created_at", Instant.ofEpochMilli(s.createdAt()).toString())
                    .put("last_used_at", used == null ? null : Instant.ofEpochMilli(used).toString())
                    .put("expired", identity.expired(now)).put("bootstrap", s.bootstrap());
        }).toList();
    }

    /** Writes the keys with their last use (also done on each change), so that a restart keeps it. */
    public synchronized void flush() throws IOException {
        save();
    }

    private static JsonArray codes(Set<Role> roles) {
        return new JsonArray(roles.stream().map(Role::code).sorted().toList());
    }

    private void save() throws IOException {
        JsonArray stored = new JsonArray();
        byHash.forEach((hash, key) -> {
            if (key.cluster()) {
                return; // its cluster's control topic keeps it: a revocation while this instance was away must not leave it here
            }
            Identity identity = key.identity();
            JsonObject json = new JsonObject().put("id", identity.id()).put(key.legacy() ? "sha256" : "hmac", hash)
                    .put("roles", codes(identity.roles())).put("created_at", key.createdAt());
            if (identity.scoped()) {
                json.put("models", new JsonArray(identity.models().stream().sorted().toList()));
            }
            if (identity.expiresAt() > 0) {
                json.put("expires_at", identity.expiresAt());
            }
            if (key.bootstrap()) {
                json.put("bootstrap", true);
            }
            Long used = lastUsed.get(identity.id());
            if (used != null) {
                json.put("last_used_at", used);
            }
            stored.add(json);
        });
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

    public static String sha256(String key) {
        try {
            return HexFormat.of().formatHex(MessageDigest.getInstance("SHA-256").digest(key.getBytes(StandardCharsets.UTF_8)));
        } catch (NoSuchAlgorithmException e) {
            throw new IllegalStateException("every JVM has SHA-256", e);
        }
    }
}
