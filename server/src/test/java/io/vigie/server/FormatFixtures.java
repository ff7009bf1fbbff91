package io.vigie.server;

import com.yahoo.labs.samoa.instances.Instance;
import io.micrometer.core.instrument.simple.SimpleMeterRegistry;
import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;
import io.vigie.datasets.Streams;
import io.vigie.learner.EventStream;
import io.vigie.learner.ModelSpec;
import io.vigie.learner.Schema;
import io.vigie.server.audit.AuditLog;
import io.vigie.server.auth.ApiKeys;
import io.vigie.server.auth.Role;
import io.vigie.server.model.Challenger;
import io.vigie.server.model.EventRequest;
import io.vigie.server.model.EventTime;
import io.vigie.server.model.KnownIds;
import io.vigie.server.model.ScoreRequest;
import io.vigie.server.model.LabelRequest;
import io.vigie.server.model.ModelDefinition;
import io.vigie.server.model.ModelWriter;
import io.vigie.server.model.Models;
import io.vigie.server.model.Scored;
import io.vigie.server.model.WriterSettings;
import io.vigie.server.store.LogRecord;
import io.vigie.server.wire.DefinitionJson;
import io.vigie.server.wire.EventJson;
import io.vigie.server.wire.Renderings;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Clock;
import java.time.Instant;
import java.time.ZoneOffset;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.EnumSet;
import java.util.List;
import java.util.Set;
import java.util.stream.Stream;

/**
 * Writes the on-disk format fixtures: a data dir as today's code leaves it, and what a service
 * reading it must answer. The data dir holds {@code keys.json}, {@code audit.log} and three
 * models, each with its {@code model.json}, its log and snapshots:
 * <ul>
 *   <li>{@code ht}: a Hoeffding tree whose log holds every record type (labels and labelled events
 *       with and without a stream position, challengers added and removed, a promotion, a rollback)
 *       after its newest snapshot, so reading it replays them all;</li>
 *   <li>{@code patches}: Vigie's own random patches, read from its closing snapshot;</li>
 *   <li>{@code committee}: the default committee with a shadow challenger and the input monitor's
 *       windows, read from its closing snapshot.</li>
 * </ul>
 * The same steps are run twice from scratch, in two data dirs: the first is closed and kept as the
 * fixture; the second, never closed, answers probe events, learns more events and answers them
 * again, and those answers are the expected ones ({@code expected.json}): a model read back from
 * the files must answer exactly as the model that wrote them would have gone on answering.
 *
 * <p>Written once per format: {@code mvn -pl server test -Dtest=FormatCompatibilityTest
 * -Dvigie.fixtures.write=FOLDER} (a new folder under {@code src/test/resources/formats/}).
 */
final class FormatFixtures {
    static final Instant WRITTEN_AT = Instant.parse("2026-12-06T00:00:00Z");
    static final String ADMIN_KEY = "fixture-admin-key-0123456789abcdef";
    private static final String STREAM = "generator:generators.AgrawalGenerator -f 2 -i 7";
    private static final int PROBES = 50;
    private static final int LEARN_AFTER = 300;

    private final Clock clock = Clock.fixed(WRITTEN_AT, ZoneOffset.UTC);
    private final List<Instance> events = new ArrayList<>();
    private final Schema schema;
    private int next;

    private FormatFixtures() {
        try (EventStream stream = Streams.open(STREAM, null, null, Set.of(), 8_000)) {
            schema = stream.schema();
            while (stream.hasNext()) {
                events.add(stream.next().instance());
            }
        }
    }

    /** Writes {@code folder/data} and {@code folder/expected.json}. */
    static void write(Path folder) throws Exception {
        Path written = Files.createTempDirectory("vigie-fixture");
        Built kept = new FormatFixtures().build(written);
        String readKey = kept.readKey(); // keys are random: those of the kept keys.json
        JsonArray audit = new JsonArray(kept.audit().after(0, 1000));
        kept.close();
        // ht's newest snapshot stays the one before its records: reading it replays every record type
        Path htVersions = written.resolve("models/ht/versions");
        try (Stream<Path> files = Files.list(htVersions)) {
            for (Path file : files.sorted().skip(2).toList()) {
                Files.delete(file);
            }
        }
        deleteRecursively(written.resolve("pending")); // RocksDB's own files: not a Vigie format
        Path data = folder.resolve("data");
        if (Files.exists(data)) {
            deleteRecursively(data);
        }
        copy(written, data);
        deleteRecursively(written);

        Path continued = Files.createTempDirectory("vigie-fixture");
        FormatFixtures steps = new FormatFixtures();
        Built uninterrupted = steps.build(continued);
        JsonObject expected = steps.expected(uninterrupted, data).put("read_key", readKey).put("audit", audit);
        uninterrupted.close();
        deleteRecursively(continued);
        Files.writeString(folder.resolve("expected.json"), expected.encodePrettily() + "\n");
    }

    /** What one run of the steps leaves open. */
    private record Built(ApiKeys keys, String readKey, AuditLog audit, Models models) implements AutoCloseable {
        @Override
        public void close() throws IOException {
            models.close();
            audit.close();
        }
    }

    private Built build(Path dataDir) throws Exception {
        ApiKeys keys = ApiKeys.load(dataDir, ADMIN_KEY, clock).keys();
        String admin = keys.authenticate(ADMIN_KEY).id();
        ApiKeys.Created reader = keys.create(EnumSet.of(Role.READ), java.util.Set.of(), 0);
        AuditLog audit = AuditLog.open(dataDir, clock);
        audit.append(admin, "admin", "key.create", null, new JsonObject().put("created_key_id", reader.identity().id())
                .put("roles", new JsonArray().add("read")));
        Models models = Models.open(dataDir, DefinitionJson.FILE, clock, WriterSettings.DEFAULTS, new SimpleMeterRegistry(), (m, p) -> { });

        ModelWriter ht = create(models, audit, admin, "ht", "ht");
        learn(ht, 300, null);
        long beforeRecords = ht.snapshot().get().version();
        audit.append(admin, "admin", "model.snapshot", "ht", new JsonObject().put("version", beforeRecords));
        learn(ht, 200, "vigie.events");
        scoreThenLabel(ht, 200, "vigie.labels");
        ht.addChallenger("nb", new ModelSpec("nb", 1), Challenger.Mode.SHADOW, 0, Challenger.Promotion.NEVER).get();
        audit.append(admin, "admin", "challenger.add", "ht", new JsonObject().put("challenger", "nb"));
        learn(ht, 100, null);
        ht.addChallenger("quarter", new ModelSpec("hat", 2), Challenger.Mode.CANARY, 0.25, Challenger.Promotion.NEVER).get();
        scoreThenLabel(ht, 100, null);
        ht.removeChallenger("quarter").get();
        audit.append(admin, "admin", "challenger.remove", "ht", new JsonObject().put("challenger", "quarter"));
        ht.promote("nb").get();
        audit.append(admin, "admin", "challenger.promote", "ht", new JsonObject().put("challenger", "nb"));
        learn(ht, 100, null);
        ht.rollback(beforeRecords).get();
        audit.append(admin, "admin", "model.rollback", "ht", new JsonObject().put("rolled_back_to", beforeRecords));
        learn(ht, 100, null);

        ModelWriter patches = create(models, audit, admin, "patches", "patches");
        learn(patches, 500, null);
        scoreThenLabel(patches, 100, null);

        ModelWriter committee = create(models, audit, admin, "committee", "committee");
        committee.addChallenger("hat", new ModelSpec("hat", 3), Challenger.Mode.SHADOW, 0, Challenger.Promotion.NEVER).get();
        audit.append(admin, "admin", "challenger.add", "committee", new JsonObject().put("challenger", "hat"));
        for (int batch = 0; batch < 5; batch++) { // past the input monitor's first window
            scoreThenLabel(committee, 250, null);
        }
        return new Built(keys, reader.key(), audit, models);
    }

    private ModelWriter create(Models models, AuditLog audit, String admin, String name, String model) throws IOException {
        ModelDefinition definition = DefinitionJson.read(new JsonObject().put("name", name).put("model", model).put("seed", 5)
                .put("schema", DefinitionJson.schema(schema)), clock.millis());
        ModelWriter writer = models.create(definition);
        audit.append(admin, "admin", "model.create", name, new JsonObject().put("model", model).put("version_after", 0));
        return writer;
    }

    /** Learns the next {@code n} events as labelled events, each with a stream position on {@code topic} if given. */
    private void learn(ModelWriter writer, int n, String topic) throws Exception {
        List<EventRequest> requests = new ArrayList<>();
        for (int i = 0; i < n; i++) {
            int at = next++;
            requests.add(new EventRequest("l" + at, events.get(at), EventTime.ARRIVAL, topic == null ? null : new LogRecord.Source(topic, 0, at)));
        }
        writer.learn(requests).get();
    }

    /** Scores the next {@code n} events, then labels them, with stream positions on {@code topic} if given. */
    private void scoreThenLabel(ModelWriter writer, int n, String topic) throws Exception {
        List<String> ids = new ArrayList<>();
        List<Instance> unlabelled = new ArrayList<>();
        List<LabelRequest> labels = new ArrayList<>();
        for (int i = 0; i < n; i++) {
            int at = next++;
            ids.add("s" + at);
            unlabelled.add(schema.withoutLabel(events.get(at)));
            labels.add(new LabelRequest("s" + at, (int) events.get(at).classValue(), EventTime.ARRIVAL,
                    topic == null ? null : new LogRecord.Source(topic, 1, at)));
        }
        writer.predictAll(requests(ids, unlabelled), KnownIds.REFUSE).get();
        writer.label(labels).get();
    }

    /**
     * What reading the fixture must give: the keys and audit entries, and per model its state, its
     * answers to probe events, and its answers after learning more events, through the same JSON
     * the HTTP routes take and give.
     */
    private JsonObject expected(Built built, Path data) throws Exception {
        JsonArray probes = new JsonArray();
        JsonArray learnMore = new JsonArray();
        for (int i = 0; i < PROBES; i++) {
            Instance event = events.get(next++);
            probes.add(new JsonObject().put("id", "probe" + i).put("features", features(event)));
        }
        for (int i = 0; i < LEARN_AFTER; i++) {
            Instance event = events.get(next++);
            learnMore.add(new JsonObject().put("id", "more" + i).put("features", features(event))
                    .put("label", schema.classes().get((int) event.classValue())));
        }
        JsonObject models = new JsonObject();
        for (ModelWriter writer : built.models().all()) {
            JsonObject state = writer.read(view -> new JsonObject().put("version", view.version()).put("learned", view.learned())
                    .put("champion", view.spec().model())
                    .put("challengers", new JsonArray(view.challengers().stream().map(Challenger::name).toList()))
                    .put("input_checks", view.inputs().checks())).get();
            state.put("versions", versionsOnDisk(data.resolve("models").resolve(writer.definition().name())));
            state.put("probe", answers(writer, probes));
            List<EventRequest> requests = new ArrayList<>();
            for (Object item : learnMore) {
                JsonObject event = (JsonObject) item;
                Instance instance = EventJson.instance(schema, event, null);
                instance.setClassValue(EventJson.classIndex(schema, event));
                requests.add(new EventRequest(event.getString("id"), instance));
            }
            writer.learn(requests).get();
            state.put("after_learning", answers(writer, probes));
            models.put(writer.definition().name(), state);
        }
        return new JsonObject().put("written_at", WRITTEN_AT.toString()).put("admin_key", ADMIN_KEY)
                .put("probe_events", probes).put("learn_events", learnMore).put("models", models);
    }

    /** The versions a model's folder holds: what a service reading it lists, and the newest it recovers from. */
    private static JsonArray versionsOnDisk(Path model) throws IOException {
        try (Stream<Path> files = Files.list(model.resolve("versions"))) {
            return new JsonArray(files.map(f -> Long.parseLong(f.getFileName().toString().replace(".snapshot", ""))).sorted().toList());
        }
    }

    private static List<ScoreRequest> requests(List<String> ids, List<Instance> events) {
        List<ScoreRequest> requests = new ArrayList<>();
        for (int i = 0; i < ids.size(); i++) {
            requests.add(new ScoreRequest(ids.get(i), events.get(i)));
        }
        return requests;
    }

    private JsonArray answers(ModelWriter writer, JsonArray probes) throws Exception {
        List<String> ids = new ArrayList<>();
        List<Instance> instances = new ArrayList<>();
        for (Object item : probes) {
            JsonObject event = (JsonObject) item;
            ids.add(event.getString("id"));
            instances.add(EventJson.instance(schema, event, null));
        }
        JsonArray answers = new JsonArray();
        for (Scored scored : writer.predictAll(requests(ids, instances), KnownIds.REPLACE).get()) {
            answers.add(Renderings.prediction(scored, schema));
        }
        return answers;
    }

    private JsonObject features(Instance event) {
        JsonObject features = new JsonObject();
        schema.namedValues(event.toDoubleArray()).forEach(features::put);
        return features;
    }

    static void copy(Path from, Path to) throws IOException {
        try (Stream<Path> paths = Files.walk(from)) {
            for (Path path : paths.toList()) {
                Path target = to.resolve(from.relativize(path).toString());
                if (Files.isDirectory(path)) {
                    Files.createDirectories(target);
                } else {
                    Files.copy(path, target);
                }
            }
        }
    }

    static void deleteRecursively(Path dir) throws IOException {
        try (Stream<Path> paths = Files.walk(dir)) {
            for (Path path : paths.sorted(Comparator.reverseOrder()).toList()) {
                Files.delete(path);
            }
        }
    }
}
