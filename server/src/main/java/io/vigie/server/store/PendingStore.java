package io.vigie.server.store;

import org.rocksdb.ColumnFamilyDescriptor;
import org.rocksdb.ColumnFamilyHandle;
import org.rocksdb.ColumnFamilyOptions;
import org.rocksdb.DBOptions;
import org.rocksdb.MutableColumnFamilyOptions;
import org.rocksdb.RocksDB;
import org.rocksdb.RocksDBException;
import org.rocksdb.TtlDB;

import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Clock;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.HashMap;
import java.util.List;
import java.util.Map;

/**
 * The service's RocksDB: one column family per model holds its scored events, with the model's
 * label TTL, so weeks of unlabelled events live on disk and expire there; the default column
 * family (no TTL) holds each model's counters.
 *
 * <p>A model's column family is named after it, except a model named {@code default}, whose
 * family is {@code model:default}: RocksDB's own default family holds the counters, and a model
 * name cannot hold a colon, so no model name can clash with it.
 *
 * <p>RocksDB drops expired entries only when it compacts, so {@link PendingEvents} also checks an
 * event's age itself: a label past the TTL is "late" whether or not the entry is still there.
 */
public final class PendingStore implements AutoCloseable {
    static {
        RocksDB.loadLibrary();
    }

    /** Prefixes the family of a model whose name RocksDB reserves; a model name cannot hold a colon. */
    private static final String RESERVED_PREFIX = "model:";

    private final TtlDB db;
    private final DBOptions options;
    private final ColumnFamilyOptions familyOptions;
    private final ColumnFamilyHandle counters;
    private final Map<String, ColumnFamilyHandle> families = new HashMap<>();
    private final Clock clock;

    private PendingStore(TtlDB db, DBOptions options, ColumnFamilyOptions familyOptions, ColumnFamilyHandle counters,
                         Clock clock) {
        this.db = db;
        this.options = options;
        this.familyOptions = familyOptions;
        this.counters = counters;
        this.clock = clock;
    }

    /**
     * Opens the store under {@code dir}. {@code ttls} gives each live model's label TTL; column
     * families of models that no longer exist (a delete cut short) are dropped.
     */
    public static PendingStore open(Path dir, Map<String, Duration> ttls, Clock clock) throws RocksDBException {
        try {
            Files.createDirectories(dir);
        } catch (java.io.IOException e) {
            throw new RocksDBException("cannot create " + dir + ": " + e.getMessage());
        }
        // Sized for its use: RocksDB would pre-allocate a 72 MB write-ahead log at the first write (1.1 write
        // buffers) and a 4 MB manifest, so an empty data dir took 76 MB; files grow as written instead.
        DBOptions options = new DBOptions().setCreateIfMissing(true).setCreateMissingColumnFamilies(true)
                .setMaxBackgroundJobs(2).setKeepLogFileNum(5).setAllowFAllocate(false).setManifestPreallocationSize(64 << 10);
        ColumnFamilyOptions familyOptions = new ColumnFamilyOptions().optimizeForPointLookup(64);
        List<byte[]> existing;
        try (org.rocksdb.Options listing = new org.rocksdb.Options()) {
            existing = RocksDB.listColumnFamilies(listing, dir.toString());
        }
        List<ColumnFamilyDescriptor> descriptors = new ArrayList<>();
        List<Integer> ttlValues = new ArrayList<>();
        descriptors.add(new ColumnFamilyDescriptor(RocksDB.DEFAULT_COLUMN_FAMILY, familyOptions));
        ttlValues.add(0);
        for (byte[] name : existing) {
            if (!Arrays.equals(name, RocksDB.DEFAULT_COLUMN_FAMILY)) {
                descriptors.add(new ColumnFamilyDescriptor(name, familyOptions));
                ttlValues.add(seconds(ttls.getOrDefault(modelOf(name), Duration.ofDays(1))));
            }
        }
        List<ColumnFamilyHandle> handles = new ArrayList<>();
        TtlDB db = TtlDB.open(options, dir.toString(), descriptors, handles, ttlValues, false);
        PendingStore store = new PendingStore(db, options, familyOptions, handles.get(0), clock);
        for (int i = 1; i < handles.size(); i++) {
            String model = modelOf(descriptors.get(i).getName());
            if (ttls.containsKey(model)) {
                compactWithin(db, handles.get(i), ttls.get(model));
                store.families.put(model, handles.get(i));
            } else {
                db.dropColumnFamily(handles.get(i));
                handles.get(i).close();
            }
        }
        return store;
    }

    /** A model's pending events, created on first use. */
    public PendingEvents forModel(String model, Duration ttl) throws RocksDBException {
        return forModel(model, ttl, null);
    }

    /** A model's pending events, created on first use, indexed by when their implicit label is due ({@code impliedAfter}, or null). */
    public synchronized PendingEvents forModel(String model, Duration ttl, Duration impliedAfter) throws RocksDBException {
        ColumnFamilyHandle family = families.get(model);
        if (family == null) {
            family = db.createColumnFamilyWithTtl(new ColumnFamilyDescriptor(familyName(model), familyOptions), seconds(ttl));
            compactWithin(db, family, ttl);
            families.put(model, family);
        }
        return new PendingEvents(db, family, counters, model, ttl, impliedAfter, clock);
    }

    /**
     * Has every file of a model's events compacted once it is a TTL old. RocksDB drops expired
     * events only in the files it compacts, and compacts a level only when the one above fills it:
     * the events of the deeper levels, most of a large store, would outlive their TTL for as long as
     * no new write pushed them down (a 30-minute soak at 4,000 events/s with a 10-minute TTL grew
     * by 50 MB every 5 minutes without this).
     */
    private static void compactWithin(TtlDB db, ColumnFamilyHandle family, Duration ttl) throws RocksDBException {
        db.setOptions(family, MutableColumnFamilyOptions.builder().setPeriodicCompactionSeconds(seconds(ttl)).build());
    }

    /** Drops a deleted model's events and counters. */
    public synchronized void drop(String model) throws RocksDBException {
        ColumnFamilyHandle family = families.remove(model);
        if (family != null) {
            db.dropColumnFamily(family);
            family.close();
        }
        byte[] from = PendingEvents.counterPrefix(model);
        byte[] to = from.clone();
        to[to.length - 1]++;
        db.deleteRange(counters, from, to);
    }

    /** The column family of a model's events: its name, but {@code model:default} for a model named {@code default}. */
    static byte[] familyName(String model) {
        return (model.equals("default") ? RESERVED_PREFIX + model : model).getBytes(StandardCharsets.UTF_8);
    }

    private static String modelOf(byte[] family) {
        String name = new String(family, StandardCharsets.UTF_8);
        return name.startsWith(RESERVED_PREFIX) ? name.substring(RESERVED_PREFIX.length()) : name;
    }

    private static int seconds(Duration ttl) {
        return (int) Math.min(Integer.MAX_VALUE, Math.max(1, ttl.toSeconds()));
    }

    @Override
    public synchronized void close() {
        for (ColumnFamilyHandle family : families.values()) {
            family.close();
        }
        counters.close();
        db.close();
        familyOptions.close();
        options.close();
    }
}
