package io.vigie.server.model;

import io.micrometer.core.instrument.Gauge;
import io.micrometer.core.instrument.MeterRegistry;
import io.vigie.learner.LearnerException;
import io.vigie.learner.Learners;
import io.vigie.learner.AbstentionSettings;
import io.vigie.learner.Schema;
import io.vigie.learner.ModelSpec;
import io.vigie.learner.Model;
import io.vigie.learner.SnapshotException;
import io.vigie.learner.Snapshots;
import io.vigie.server.ApiProblem;
import io.vigie.server.store.DiskGuard;
import io.vigie.server.store.EventLog;
import io.vigie.server.store.PendingStore;
import io.vigie.server.store.Versions;
import org.rocksdb.RocksDBException;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.time.Clock;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Collection;
import java.util.Comparator;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import java.util.concurrent.ConcurrentHashMap;
import java.util.function.BiConsumer;
import java.util.stream.Stream;

/**
 * The service's models, each in its own folder under {@code <data-dir>/models/<name>}:
 * {@code model.json} (its definition), {@code log/} (its log's segments) and {@code versions/}; their pending
 * events share the service's RocksDB under {@code <data-dir>/pending}.
 */
public final class Models implements ModelChanges, AutoCloseable {
    private static final Logger LOG = LoggerFactory.getLogger(Models.class);
    private static final String DEFINITION = "model.json";

    private final Path root;
    private final PendingStore store;
    private final Clock clock;
    private final WriterSettings settings;
    private final MeterRegistry registry;
    private final Map<String, ModelWriter> writers = new ConcurrentHashMap<>();
    private final BiConsumer<String, Promoted> automaticPromotions;
    private final DefinitionFormat format;
    private final DiskGuard disk;
    private final Map<String, Failed> failed = new ConcurrentHashMap<>();
    /** The cluster's log, once this instance has joined one: every model publishes its commits there. */
    private volatile ReplicatedLog replicated;
    private final Map<String, Gauge> failedGauges = new ConcurrentHashMap<>();
    /** The label TTL kept for a model whose definition cannot be read: its events must not expire before it is repaired. */
    private static final Duration KEEP_UNTIL_REPAIRED = Duration.ofDays(3650);

    private Models(Path root, DefinitionFormat format, PendingStore store, Clock clock, WriterSettings settings,
                   MeterRegistry registry, BiConsumer<String, Promoted> automaticPromotions) throws IOException {
        this.root = root;
        this.format = format;
        this.disk = new DiskGuard(root, settings.minFreeBytes(), settings.diskCheckMillis());
        this.automaticPromotions = automaticPromotions;
        this.store = store;
        this.clock = clock;
        this.settings = settings;
        this.registry = registry;
    }

    /**
     * Opens every model under the data dir: each replays its log from its latest snapshot.
     * {@code format} reads and writes each model's {@code model.json}. A model that cannot be
     * opened (an unreadable definition, a damaged log or snapshot, anything its recovery throws)
     * is kept aside as failed, with the reason, and the others open: one bad model never stops
     * the service. Its files and pending events are left as they are for an operator.
     */
    public static Models open(Path dataDir, DefinitionFormat format, Clock clock, WriterSettings settings, MeterRegistry registry,
                              BiConsumer<String, Promoted> automaticPromotions)
            throws IOException, RocksDBException {
        Path root = Files.createDirectories(dataDir.resolve("models"));
        Map<String, ModelDefinition> definitions = new TreeMap<>();
        Map<String, String> unreadable = new TreeMap<>();
        try (Stream<Path> dirs = Files.list(root)) {
            for (Path dir : dirs.sorted().toList()) {
                String name = dir.getFileName().toString();
                if (name.startsWith(".deleted-")) {
                    deleteRecursively(dir); // a delete that a crash cut short
                } else if (Files.exists(dir.resolve(DEFINITION))) {
                    try {
                        definitions.put(name, readDefinition(format, dir.resolve(DEFINITION)));
                    } catch (IOException | RuntimeException e) {
                        unreadable.put(name, e.getMessage());
                    }
                }
            }
        }
        Map<String, Duration> ttls = new HashMap<>();
        definitions.forEach((name, d) -> ttls.put(name, d.labelTtl()));
        unreadable.keySet().forEach(name -> ttls.put(name, KEEP_UNTIL_REPAIRED)); // its pending events are kept, not expired
        PendingStore store = PendingStore.open(dataDir.resolve("pending"), ttls, clock);
        Models models = new Models(root, format, store, clock, settings, registry, automaticPromotions);
        unreadable.forEach(models::failed);
        for (ModelDefinition definition : definitions.values()) {
            try {
                ModelWriter writer = models.openWriter(definition);
                models.writers.put(definition.name(), writer);
                LOG.info(writer.recovered().describe(definition.name()));
            } catch (Throwable e) { // a crafted snapshot may even exhaust the heap: that model fails, the others open
                models.failed(definition.name(), e instanceof IOException || e instanceof ApiProblem ? e.getMessage() : e.toString());
            }
        }
        return models;
    }

    /** A model that could not be opened, and why. */
    public record Failed(String name, String reason) {
    }

    private void failed(String name, String reason) {
        LOG.error("model '{}' could not be opened and is not served: {}", name, reason);
        failed.put(name, new Failed(name, ApiProblem.redact(reason)));
        failedGauges.put(name, Gauge.builder("vigie.model.failed", () -> 1).description("Models that could not be opened (1 each)")
                .tag("model", name).register(registry));
    }

    /** The models that could not be opened, by name. */
    public List<Failed> failed() {
        return failed.values().stream().sorted(Comparator.comparing(Failed::name)).toList();
    }

    private ModelWriter openWriter(ModelDefinition definition) throws IOException, RocksDBException {
        return ModelWriter.open(definition, root.resolve(definition.name()),
                store.forModel(definition.name(), definition.labelTtl(),
                        definition.implicitLabel() == null ? null : definition.implicitLabel().after()), clock, settings, registry, automaticPromotions,
                () -> replicated);
    }

    private static ModelDefinition readDefinition(DefinitionFormat format, Path file) throws IOException {
        try {
            return format.decode(Files.readAllBytes(file));
        } catch (ApiProblem e) {
            throw new IOException("cannot read " + file + ": " + e.getMessage(), e);
        }
    }

    /** The writer of a model; a 404 if there is none, a 503 if it could not be opened. */
    public ModelWriter get(String name) {
        ModelWriter writer = writers.get(name);
        Failed broken = failed.get(name);
        if (broken != null) {
            throw ApiProblem.unavailable("model-failed", "model '" + name + "' could not be opened and is not served: "
                    + broken.reason(), 0);
        }
        if (writer == null) {
            throw ApiProblem.notFound("unknown-model", "there is no model named '" + name + "'");
        }
        return writer;
    }

    /** From now on every model publishes its commits to the cluster's log (and follows it where another instance owns it). */
    public void replicateTo(ReplicatedLog log) {
        this.replicated = log;
    }

    /** The writer of a model that is open here, or null. */
    public ModelWriter find(String name) {
        return writers.get(name);
    }

    /** Whether a model of this name could not be opened here. */
    public boolean isFailed(String name) {
        return failed.containsKey(name);
    }

    public Collection<ModelWriter> all() {
        List<ModelWriter> sorted = new ArrayList<>(writers.values());
        sorted.sort(Comparator.comparing(w -> w.definition().name()));
        return sorted;
    }

    /**
     * Creates a model. Blocking (it writes files and builds the learner): call it off the event loop.
     *
     * @throws ApiProblem 409 if the name is taken, 422 if the model cannot be built or snapshotted
     */
    @Override
    public synchronized ModelWriter create(ModelDefinition definition) {
        if (writers.containsKey(definition.name()) || failed.containsKey(definition.name())) {
            throw ApiProblem.conflict("model-exists", "a model named '" + definition.name() + "' already exists"
                    + (failed.containsKey(definition.name()) ? " (it could not be opened: repair it or delete it)" : ""));
        }
        probe(definition.spec(), definition.schema(), definition.abstention());
        disk.check(); // nothing is created below the reserve
        Path dir = root.resolve(definition.name());
        try {
            Files.createDirectories(dir);
            Snapshots.save(dir.resolve(DEFINITION), format.encode(definition));
            ModelWriter writer = openWriter(definition);
            writers.put(definition.name(), writer);
            return writer;
        } catch (IOException | UncheckedIOException | RocksDBException e) {
            removeHalfCreated(dir, definition.name());
            throw ApiProblem.unavailable("storage-failed", "cannot create model '" + definition.name() + "': " + e.getMessage(), 5);
        }
    }

    /**
     * Makes a model from a snapshot of it taken by another instance of its cluster, in place of
     * one of that name here: it starts from that state, with a log that begins where the
     * snapshot's ended, and follows the cluster's log from there. Blocking: call it off the event
     * loop.
     *
     * @throws ApiProblem 503 if its files could not be written
     */
    public synchronized ModelWriter install(ModelDefinition definition, byte[] snapshot) {
        String name = definition.name();
        if (writers.containsKey(name) || failed.containsKey(name)) {
            delete(name);
        }
        disk.check();
        Path dir = root.resolve(name);
        try {
            if (Files.exists(dir)) {
                deleteRecursively(dir); // what an install cut short by a crash left: it had no definition yet
            }
            Files.createDirectories(dir);
            Versions.Version version = new Versions(dir.resolve("versions")).adopt(snapshot);
            EventLog.createAt(dir, version.logOffset());
            Snapshots.save(dir.resolve(ModelWriter.SEEDED_AT), Long.toString(version.version()).getBytes(java.nio.charset.StandardCharsets.UTF_8));
            Snapshots.save(dir.resolve(DEFINITION), format.encode(definition)); // last: until then the folder is no model
            ModelWriter writer = openWriter(definition);
            writers.put(name, writer);
            LOG.info("model '{}' starts from the cluster's snapshot of version {}", name, version.version());
            return writer;
        } catch (SnapshotException e) { // a damaged snapshot from Kafka: nothing is left of the attempt
            removeHalfCreated(dir, name);
            throw e;
        } catch (IOException | UncheckedIOException | RocksDBException e) {
            removeHalfCreated(dir, name);
            throw ApiProblem.unavailable("storage-failed", "cannot install model '" + name + "' from the cluster's snapshot: "
                    + e.getMessage(), 5);
        }
    }

    /** A creation that failed half-way leaves nothing behind: no folder for the next start to trip on. */
    private void removeHalfCreated(Path dir, String name) {
        try {
            if (Files.exists(dir)) {
                deleteRecursively(dir);
            }
            store.drop(name);
        } catch (IOException | RocksDBException e) {
            LOG.error("model '{}' could not be created and what it left could not be removed: {}", name, e.getMessage());
        }
    }

    /** The data dir's free-space guard: writes outside any one model (keys, new models) check it too. */
    public DiskGuard disk() {
        return disk;
    }

    /**
     * Builds a learner, teaches it one event and reads its snapshot back, so that a bad model
     * string, or a learner whose trained state cannot be snapshotted (MOA's StreamingRandomPatches)
     * or read back (a class snapshots do not admit), is a 422 before anything is stored.
     */
    public void probe(ModelSpec spec, Schema schema, AbstentionSettings abstention) {
        probe(spec, schema, abstention, settings.maxMembers());
    }

    /**
     * {@link #probe(ModelSpec, Schema, AbstentionSettings)} with a bound on the base models the
     * spec builds, checked first: an ensemble allocates its members at once.
     */
    public static void probe(ModelSpec spec, Schema schema, AbstentionSettings abstention, long maxMembers) {
        try {
            long members = Learners.members(spec);
            if (members > maxMembers) {
                throw ApiProblem.invalid("model '" + spec.model() + "' would build " + members + " base models (its ensemble sizes, "
                        + "multiplied down nested learners); the limit is " + maxMembers + " (max_ensemble_members): set its size option lower");
            }
            Model probe = new Model(Learners.create(spec, schema), abstention);
            probe.learnUnscored(schema.instance(new double[schema.features().size() + 1]));
            Snapshots.decode(Snapshots.encode(probe, null, Snapshots.provenance(probe, Map.of(), java.time.Clock.systemUTC())));
        } catch (SnapshotException e) {
            throw ApiProblem.invalid("model '" + spec.model() + "' cannot be served: it cannot be snapshotted (" + e.getMessage() + ")");
        } catch (LearnerException e) {
            throw ApiProblem.invalid(e.getMessage());
        } catch (ArithmeticException e) {
            throw ApiProblem.invalid("model '" + spec.model() + "' would build more base models than can be counted");
        } catch (ApiProblem e) {
            throw e;
        } catch (RuntimeException e) { // an MOA class that cannot learn this schema's first event
            throw ApiProblem.invalid("model '" + spec.model() + "' failed on a first event of this schema: " + e);
        }
    }

    /**
     * Deletes a model, its log, versions and pending events, and returns the version it had (null
     * for a model that could not be opened, which can be deleted too). Blocking: call it off the
     * event loop.
     */
    @Override
    public synchronized Long delete(String name) {
        Long before = null;
        if (failed.remove(name) != null) {
            registry.remove(failedGauges.remove(name));
        } else {
            ModelWriter writer = get(name);
            before = writer.read(ModelView::version).join();
            writers.remove(name);
            writer.discard();
        }
        try {
            Path dir = root.resolve(name);
            Path doomed = root.resolve(".deleted-" + name + "-" + clock.millis());
            Files.move(dir, doomed, StandardCopyOption.ATOMIC_MOVE);
            store.drop(name);
            deleteRecursively(doomed);
            return before;
        } catch (IOException | RocksDBException e) {
            throw ApiProblem.unavailable("storage-failed", "model '" + name + "' was stopped but its files could not all be "
                    + "removed: " + e.getMessage(), 5);
        }
    }

    private static void deleteRecursively(Path dir) throws IOException {
        try (Stream<Path> paths = Files.walk(dir)) {
            for (Path path : paths.sorted(Comparator.reverseOrder()).toList()) {
                Files.delete(path);
            }
        } catch (UncheckedIOException e) {
            throw e.getCause();
        }
    }

    /** Closes every model (each finishes its queue and snapshots), then the store. */
    @Override
    public void close() {
        writers.values().parallelStream().forEach(ModelWriter::close);
        writers.clear();
        store.close();
    }
}
