package io.vigie.server.model;

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
import io.vigie.server.store.PendingStore;
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
 * {@code model.json} (its definition), {@code events.log} and {@code versions/}; their pending
 * events share the service's RocksDB under {@code <data-dir>/pending}.
 */
public final class Models implements AutoCloseable {
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

    private Models(Path root, DefinitionFormat format, PendingStore store, Clock clock, WriterSettings settings,
                   MeterRegistry registry, BiConsumer<String, Promoted> automaticPromotions) {
        this.root = root;
        this.format = format;
        this.automaticPromotions = automaticPromotions;
        this.store = store;
        this.clock = clock;
        this.settings = settings;
        this.registry = registry;
    }

    /**
     * Opens every model under the data dir: each replays its log from its latest snapshot.
     * {@code format} reads and writes each model's {@code model.json}.
     */
    public static Models open(Path dataDir, DefinitionFormat format, Clock clock, WriterSettings settings, MeterRegistry registry,
                              BiConsumer<String, Promoted> automaticPromotions)
            throws IOException, RocksDBException {
        Path root = Files.createDirectories(dataDir.resolve("models"));
        Map<String, ModelDefinition> definitions = new TreeMap<>();
        try (Stream<Path> dirs = Files.list(root)) {
            for (Path dir : dirs.sorted().toList()) {
                String name = dir.getFileName().toString();
                if (name.startsWith(".deleted-")) {
                    deleteRecursively(dir); // a delete that a crash cut short
                } else if (Files.exists(dir.resolve(DEFINITION))) {
                    definitions.put(name, readDefinition(format, dir.resolve(DEFINITION)));
                }
            }
        }
        Map<String, Duration> ttls = new HashMap<>();
        definitions.forEach((name, d) -> ttls.put(name, d.labelTtl()));
        PendingStore store = PendingStore.open(dataDir.resolve("pending"), ttls, clock);
        Models models = new Models(root, format, store, clock, settings, registry, automaticPromotions);
        try {
            for (ModelDefinition definition : definitions.values()) {
                ModelWriter writer = models.openWriter(definition);
                models.writers.put(definition.name(), writer);
                LOG.info(writer.recovered().describe(definition.name()));
            }
        } catch (IOException | RocksDBException | RuntimeException e) {
            models.close();
            throw e;
        }
        return models;
    }

    private ModelWriter openWriter(ModelDefinition definition) throws IOException, RocksDBException {
        return ModelWriter.open(definition, root.resolve(definition.name()),
                store.forModel(definition.name(), definition.labelTtl()), clock, settings, registry, automaticPromotions);
    }

    private static ModelDefinition readDefinition(DefinitionFormat format, Path file) throws IOException {
        try {
            return format.decode(Files.readAllBytes(file));
        } catch (ApiProblem e) {
            throw new IOException("cannot read " + file + ": " + e.getMessage(), e);
        }
    }

    /** The writer of a model, or a 404. */
    public ModelWriter get(String name) {
        ModelWriter writer = writers.get(name);
        if (writer == null) {
            throw ApiProblem.notFound("unknown-model", "there is no model named '" + name + "'");
        }
        return writer;
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
    public synchronized ModelWriter create(ModelDefinition definition) {
        if (writers.containsKey(definition.name())) {
            throw ApiProblem.conflict("model-exists", "a model named '" + definition.name() + "' already exists");
        }
        probe(definition.spec(), definition.schema(), definition.abstention());
        Path dir = root.resolve(definition.name());
        try {
            Files.createDirectories(dir);
            Snapshots.save(dir.resolve(DEFINITION), format.encode(definition));
            ModelWriter writer = openWriter(definition);
            writers.put(definition.name(), writer);
            return writer;
        } catch (IOException | UncheckedIOException | RocksDBException e) {
            throw ApiProblem.unavailable("storage-failed", "cannot create model '" + definition.name() + "': " + e.getMessage(), 5);
        }
    }

    /**
     * Builds a learner and teaches it one event, so that a bad model string, or a learner whose
     * trained state cannot be snapshotted (MOA's StreamingRandomPatches), is a 422 before
     * anything is stored.
     */
    public static void probe(ModelSpec spec, Schema schema, AbstentionSettings abstention) {
        try {
            Model probe = new Model(Learners.create(spec, schema), abstention);
            probe.learnUnscored(schema.instance(new double[schema.features().size() + 1]));
            Snapshots.encode(probe, null, Snapshots.provenance(probe, Map.of(), java.time.Clock.systemUTC()));
        } catch (SnapshotException e) {
            throw ApiProblem.invalid("model '" + spec.model() + "' cannot be served: it cannot be snapshotted (" + e.getMessage() + ")");
        } catch (LearnerException e) {
            throw ApiProblem.invalid(e.getMessage());
        }
    }

    /** Deletes a model, its log, versions and pending events. Blocking: call it off the event loop. */
    public synchronized void delete(String name) {
        ModelWriter writer = get(name);
        writers.remove(name);
        writer.discard();
        try {
            Path dir = root.resolve(name);
            Path doomed = root.resolve(".deleted-" + name + "-" + clock.millis());
            Files.move(dir, doomed, StandardCopyOption.ATOMIC_MOVE);
            store.drop(name);
            deleteRecursively(doomed);
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
