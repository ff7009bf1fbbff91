package io.vigie.server;

import io.vertx.core.json.JsonObject;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.nio.file.Path;

import static io.vigie.server.TestService.expect;
import static org.junit.jupiter.api.Assertions.assertEquals;

/**
 * A real stream through HTTP gives the numbers {@code vigie eval} gives: with one event per
 * predict request, the service's model has learned events 1..t−K when it scores event t, as in
 * the prequential evaluation with delay K, so accuracy, kappa, coverage and abstentions agree
 * exactly.
 */
class ReplayParityTest {
    @TempDir
    Path dataDir;

    @Test
    void elec2ThroughTheService_equalsVigieEvalWithTheSameDelay() throws Exception {
        Path elec2 = TestData.elec2();
        String[] common = {"--data", elec2.toString(), "--model", "committee -e hat,nb", "--delay", "300", "--limit", "2000"};
        JsonObject served;
        try (TestService service = new TestService(dataDir)) {
            String[] replay = Cli.concat(new String[]{"replay", "--url", "http://127.0.0.1:" + service.port(), "--key", TestService.ADMIN,
                    "--name", "elec2", "--batch", "1"}, common);
            Cli.Run run = Cli.run(replay);
            assertEquals(0, run.status(), run.err());
            served = expect(200, service.get("/v1/models/elec2"));
        }
        Cli.Run eval = Cli.run(Cli.concat(new String[]{"eval", "--json"}, common));
        assertEquals(0, eval.status(), eval.err());
        JsonObject evaluated = new JsonObject(eval.lastLine());

        JsonObject m = served.getJsonObject("metrics").getJsonObject("cumulative");
        assertEquals(evaluated.getDouble("accuracy"), m.getDouble("accuracy"));
        assertEquals(evaluated.getDouble("kappa"), m.getDouble("kappa"));
        assertEquals(evaluated.getDouble("coverage"), m.getDouble("coverage"));
        assertEquals(evaluated.getDouble("abstention_rate"), m.getDouble("abstention_rate"));
        assertEquals(evaluated.getDouble("selective_accuracy"), m.getDouble("selective_accuracy"));
        // eval stops at the last event, leaving the last 300 labels undelivered; the replay's label feed delivers them
        assertEquals(evaluated.getLong("learned") + 300, served.getLong("learned"));
    }
}
