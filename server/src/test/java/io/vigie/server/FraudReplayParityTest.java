package io.vigie.server;

import io.vertx.core.json.JsonObject;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.nio.file.Path;

import static io.vigie.server.TestService.expect;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * The Fraud-Detection Handbook's transactions posted raw, the service computing the card and
 * terminal windows itself (terminal fraud rates from the frauds it has learned), give the figures
 * {@code vigie eval --features fraud} gives offline: one event per request, labels a day after
 * their transaction.
 */
class FraudReplayParityTest {
    @TempDir
    Path dataDir;

    @Test
    void rawTransactionsThroughTheService_equalVigieEvalWithItsFeatures() throws Exception {
        Path handbook = TestData.fraudHandbook();
        String[] common = {"--data", handbook.toString(), "--features", "fraud", "--model", "hat", "--delay", "1d", "--limit", "20000",
                "--period", "2018-04-02,2018-04-02"};
        JsonObject replayed;
        JsonObject model;
        JsonObject stored;
        try (TestService service = new TestService(dataDir)) {
            Cli.Run run = Cli.run(Cli.concat(new String[]{"replay", "--url", "http://127.0.0.1:" + service.port(), "--key", TestService.ADMIN,
                    "--name", "fraud", "--batch", "1", "--json"}, common));
            assertEquals(0, run.status(), run.err());
            replayed = new JsonObject(run.lastLine());
            model = expect(200, service.get("/v1/models/fraud"));
            stored = expect(200, service.get("/v1/models/fraud/predictions/fraud-19999"));
        }
        Cli.Run eval = Cli.run(Cli.concat(new String[]{"eval", "--json"}, common));
        assertEquals(0, eval.status(), eval.err());
        JsonObject evaluated = new JsonObject(eval.lastLine());

        assertEquals(20_000, replayed.getLong("instances"));
        assertEquals(evaluated.getJsonObject("period"), replayed.getJsonObject("period"), "the second day alone, as eval's --period");
        for (String figure : new String[]{"accuracy", "kappa", "roc_auc", "pr_auc", "card_precision_at_100"}) {
            assertEquals(evaluated.getDouble(figure), replayed.getDouble(figure), figure);
        }
        // the stream's first two days hold 18 frauds: the model learns little to rank by, but it answers with opinions
        // (not only the uniform answer of a model that has learned nothing), and those are what is compared
        assertTrue(evaluated.getLong("no_opinion") < 19_500 && evaluated.getLong("learned") > 10_000, evaluated.encode());
        assertEquals(12, model.getJsonObject("definition").getJsonArray("aggregates").size(), "the service computed the windows");
        assertTrue(stored.getJsonObject("features").getDouble("customer_tx_30d") >= 1, stored.encode());
    }
}
