package io.vigie.server;

import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.condition.EnabledIfSystemProperty;
import org.junit.jupiter.api.io.TempDir;

import java.io.IOException;
import java.net.URISyntaxException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.stream.Stream;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * Every file Vigie writes must still read tomorrow: each folder under {@code formats/} is a data
 * dir written by an earlier build ({@link FormatFixtures}), and the service of this build must
 * open it, answer as the model that wrote it would have, keep learning and keep its keys and its
 * audit trail. A change of format either keeps these passing or adds a migration and a new folder.
 */
class FormatCompatibilityTest {

    @Test
    void everyFixture_opensAnswersAndKeepsLearning(@TempDir Path tmp) throws Exception {
        List<Path> fixtures = fixtures();
        assertFalse(fixtures.isEmpty(), "no format fixtures under src/test/resources/formats");
        for (Path fixture : fixtures) {
            Path dataDir = tmp.resolve(fixture.getFileName().toString());
            FormatFixtures.copy(fixture.resolve("data"), dataDir);
            JsonObject expected = new JsonObject(Files.readString(fixture.resolve("expected.json")));
            try (TestService service = new TestService(dataDir)) {
                check(fixture.getFileName().toString(), service, expected);
            }
        }
    }

    private static void check(String fixture, TestService service, JsonObject expected) throws Exception {
        String reader = expected.getString("read_key");
        JsonObject listed = TestService.expect(200, service.send("GET", "/v1/models", reader, null));
        assertEquals(expected.getJsonObject("models").size(), listed.getJsonArray("models").size(), fixture + ": its keys.json reads");
        assertEquals(200, service.send("GET", "/v1/models", expected.getString("admin_key"), null).statusCode());

        for (String name : expected.getJsonObject("models").fieldNames()) {
            JsonObject model = expected.getJsonObject("models").getJsonObject(name);
            String at = fixture + "/" + name;
            JsonObject state = TestService.expect(200, service.get("/v1/models/" + name));
            assertEquals(model.getLong("version"), state.getLong("version"), at + ": version");
            assertEquals(model.getLong("learned"), state.getLong("learned"), at + ": learned");
            assertEquals(model.getString("champion"), state.getString("model"), at + ": champion");
            List<String> challengers = new ArrayList<>();
            state.getJsonArray("challengers").forEach(c -> challengers.add(((JsonObject) c).getString("name")));
            assertEquals(model.getJsonArray("challengers").getList(), challengers, at + ": challengers");
            JsonArray versions = new JsonArray();
            TestService.expect(200, service.get("/v1/models/" + name + "/versions")).getJsonArray("versions")
                    .forEach(v -> versions.add(((JsonObject) v).getLong("version")));
            assertEquals(model.getJsonArray("versions"), versions, at + ": versions");
            long newest = versions.getLong(versions.size() - 1);
            JsonObject recovery = state.getJsonObject("recovery");
            assertEquals(newest, recovery.getLong("snapshot"), at + ": recovered from its newest snapshot");
            assertEquals(model.getLong("version") - newest, recovery.getLong("replayed"), at + ": and replayed the log after it");
            if (recovery.getLong("replayed") == 0) { // scorings are not logged: only a snapshot holds what the monitor saw of them
                JsonObject drifts = TestService.expect(200, service.get("/v1/models/" + name + "/drifts"));
                assertEquals(model.getLong("input_checks"), drifts.getJsonObject("input").getLong("checks"), at + ": input monitor");
            }

            assertAnswers(at + " at load", model.getJsonArray("probe"), predict(service, name, expected));
            JsonObject learned = TestService.expect(202, service.post("/v1/models/" + name + "/events",
                    new JsonObject().put("events", expected.getJsonArray("learn_events"))));
            assertEquals(expected.getJsonArray("learn_events").size(), learned.getInteger("learned"), at + ": keeps learning");
            assertAnswers(at + " after learning", model.getJsonArray("after_learning"), predict(service, name, expected));
        }

        JsonArray audit = TestService.expect(200, service.get("/v1/audit")).getJsonArray("entries");
        int written = expected.getJsonArray("audit").size();
        assertEquals(expected.getJsonArray("audit"), new JsonArray(audit.getList().subList(0, Math.min(written, audit.size()))),
                fixture + ": audit.log reads back as written");
        // then this start's own admin key (TestService's, not the fixture's): made at start, so recorded
        assertEquals(List.of("key.bootstrap"), audit.stream().skip(written).map(e -> ((JsonObject) e).getString("action")).toList());
        TestService.expect(201, service.post("/v1/models/ht/versions", new JsonObject()));
        JsonArray after = TestService.expect(200, service.get("/v1/audit?after=" + audit.size())).getJsonArray("entries");
        assertEquals(audit.size() + 1L, after.getJsonObject(0).getLong("seq"), fixture + ": audit.log goes on");
    }

    private static JsonArray predict(TestService service, String model, JsonObject expected) throws Exception {
        return TestService.expect(200, service.post("/v1/models/" + model + "/predict/batch?replace=true",
                new JsonObject().put("events", expected.getJsonArray("probe_events")))).getJsonArray("predictions");
    }

    private static void assertAnswers(String what, JsonArray expected, JsonArray actual) {
        assertEquals(expected.size(), actual.size(), what);
        for (int i = 0; i < expected.size(); i++) {
            assertEquals(expected.getJsonObject(i), actual.getJsonObject(i), what + ", probe " + i);
        }
    }

    /** Writes a new fixture folder ({@code -Dvigie.fixtures.write=FOLDER}); see {@link FormatFixtures}. */
    @Test
    @EnabledIfSystemProperty(named = "vigie.fixtures.write", matches = ".+")
    void writeFixture() throws Exception {
        Path folder = Path.of("src/test/resources/formats", System.getProperty("vigie.fixtures.write"));
        Files.createDirectories(folder);
        FormatFixtures.write(folder);
        assertTrue(Files.exists(folder.resolve("expected.json")));
    }

    private static List<Path> fixtures() throws IOException, URISyntaxException {
        var root = FormatCompatibilityTest.class.getResource("/formats");
        if (root == null) {
            return List.of();
        }
        try (Stream<Path> folders = Files.list(Path.of(root.toURI()))) {
            return folders.filter(Files::isDirectory).sorted().toList();
        }
    }
}
