package io.vigie.server;

import io.vertx.core.json.JsonObject;
import io.vigie.datasets.Streams;
import io.vigie.learner.EventStream;
import io.vigie.learner.LabelledEvent;
import io.vigie.learner.Schema;
import io.vigie.server.wire.DefinitionJson;
import org.junit.jupiter.api.Assumptions;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Set;

import static io.vigie.server.TestService.expect;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * The analyst page in a real headless Chromium, on a model fed with Elec2: it loads, shows the
 * committee's members, the timeline plot and the drift heatmap, finds a prediction by id, and its
 * rollback button rolls the model back. The screenshot is kept in target/analyst-page.png.
 */
class AnalystPageTest {
    private static final int EVENTS = 3000;

    @TempDir
    Path dataDir;

    @Test
    void thePageShowsAModelFedWithElec2_andRollsItBack() throws Exception {
        Path browser = Chromium.find();
        Assumptions.assumeTrue(browser != null, "Debian's chromium is not installed (.ci/run installs it); skipping the browser test");
        Path elec2 = TestData.elec2();

        try (TestService service = new TestService(dataDir);
             EventStream stream = Streams.open(elec2.toString(), null, null, Set.of(), EVENTS)) {
            Schema schema = stream.schema();
            expect(201, service.post("/v1/models", new JsonObject().put("name", "elec2").put("model", "committee -e hat,nb,nochange")
                    .put("schema", DefinitionJson.schema(schema))));
            expect(201, service.post("/v1/models/elec2/challengers", new JsonObject().put("name", "forest").put("model", "arf")));
            for (int sent = 0; sent < EVENTS; sent += 500) {
                List<LabelledEvent> batch = new ArrayList<>();
                while (batch.size() < 500) {
                    batch.add(stream.next());
                }
                service.scoreThenLabel("elec2", schema, batch, "e", sent);
            }
            expect(201, service.post("/v1/models/elec2/versions", new JsonObject()));
            long before = expect(200, service.get("/v1/models/elec2")).getLong("version");

            try (Chromium chromium = new Chromium(browser)) {
                chromium.navigate("http://127.0.0.1:" + service.port() + "/");
                chromium.evaluate("document.querySelector('#key').value = '" + TestService.ADMIN + "';"
                        + " document.querySelector('#connect').click(); true");
                chromium.await("document.querySelectorAll('#members tbody tr').length === 3"
                        + " && document.querySelectorAll('#timeline path[data-series=accuracy]').length === 1"
                        + " && document.querySelectorAll('#heatmap rect.cell').length > 0"
                        + " && document.querySelectorAll('#versions button.rollback').length === 2"
                        + " && document.querySelectorAll('#challengers tr[data-challenger=forest] button.promote').length === 1");

                assertEquals("elec2", chromium.evaluate("document.querySelector('#models li.selected').dataset.model"));
                String lead = (String) chromium.evaluate("document.querySelector('#figures .figure').textContent");
                assertTrue(lead.endsWith("PR-AUC, last window") && !lead.startsWith("–"), "a binary model leads with its ranking: " + lead);
                String members = (String) chromium.evaluate("document.querySelector('#members tbody').textContent");
                assertTrue(members.contains("hat") && members.contains("nb") && members.contains("nochange"), members);
                Number segments = (Number) chromium.evaluate(
                        "document.querySelector('#timeline path[data-series=accuracy]').getAttribute('d').split('L').length");
                assertEquals(EVENTS / 1000, segments.intValue(), "one point of the accuracy line per 1000 labels");
                String estimated = (String) chromium.evaluate(
                        "document.querySelector('#timeline path[data-series=estimated_accuracy]').getAttribute('d')");
                assertTrue(estimated.startsWith("M") && estimated.contains("L"), "the estimated accuracy is drawn beside it: " + estimated);
                String figures = (String) chromium.evaluate("document.querySelector('#figures').textContent");
                assertTrue(figures.contains("accuracy estimated, latest 1000 predictions"), figures);
                Number cells = (Number) chromium.evaluate("document.querySelectorAll('#heatmap rect.cell').length");
                assertEquals((schema.features().size() + 3) * (EVENTS / 1000), cells.intValue(), "a cell per channel and window");

                chromium.evaluate("document.querySelector('#audit-id').value = 'e42';"
                        + " document.querySelector('#audit button').click(); true");
                chromium.await("document.querySelector('#audit-result').textContent.includes('\"id\": \"e42\"')");

                String challenger = (String) chromium.evaluate("document.querySelector('#challengers tr[data-challenger=forest]').textContent");
                assertTrue(challenger.contains("arf") && challenger.contains("shadow") && challenger.contains(String.valueOf(EVENTS)), challenger);

                chromium.screenshot(Path.of("target", "analyst-page.png"));

                chromium.evaluate("document.querySelector('#versions button.rollback[data-version=\"0\"]').click(); true");
                chromium.await("document.querySelector('#status').textContent.startsWith('Rolled back elec2 to version 0')");
            }
            JsonObject rolledBack = expect(200, service.get("/v1/models/elec2"));
            assertEquals(before + 1, rolledBack.getLong("version"), "the rollback is one more log record");
            assertEquals(0, rolledBack.getLong("learned"), "version 0 is the model before any label");
        }
    }
}
