package io.vigie.server.model;

import com.yahoo.labs.samoa.instances.Instance;
import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;
import io.vigie.datasets.Streams;
import io.vigie.learner.EventStream;
import io.vigie.learner.LabelledEvent;
import io.vigie.learner.Schema;
import io.vigie.server.TestData;
import io.vigie.server.store.PendingEvents;
import io.vigie.server.wire.DefinitionJson;
import org.junit.jupiter.api.Test;

import java.time.Duration;
import java.util.HashMap;
import java.util.List;
import java.util.Map;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * The service's computed features against the evaluation's: on the Fraud-Detection Handbook's
 * transactions, a card's count and mean amount over 1, 7 and 30 days, and a terminal's count and
 * fraud rate over the same windows ending a week back (frauds learned when their label comes, a
 * week after them), computed from the raw amount, card, terminal and time, equal what
 * {@code --features fraud} computes, bit for bit.
 */
class AggregateFeaturesTest {

    private static ModelDefinition definition() {
        JsonArray features = new JsonArray().add(new JsonObject().put("name", "amount"));
        JsonArray aggregates = new JsonArray();
        for (int days : new int[]{1, 7, 30}) {
            features.add(new JsonObject().put("name", "customer_tx_" + days + "d"))
                    .add(new JsonObject().put("name", "customer_mean_amount_" + days + "d"));
            aggregates.add(new JsonObject().put("feature", "customer_tx_" + days + "d").put("key", "customer").put("function", "count")
                            .put("window", "P" + days + "D"))
                    .add(new JsonObject().put("feature", "customer_mean_amount_" + days + "d").put("key", "customer")
                            .put("function", "mean").put("of", "amount").put("window", "P" + days + "D"));
        }
        return DefinitionJson.read(new JsonObject().put("name", "fraud").put("model", "nb")
                .put("schema", new JsonObject().put("features", features).put("classes", new JsonArray().add("0").add("1")))
                .put("keys", new JsonArray().add("customer")).put("aggregates", aggregates), 0);
    }

    private static ModelDefinition terminals() {
        JsonArray features = new JsonArray().add(new JsonObject().put("name", "amount"));
        JsonArray aggregates = new JsonArray();
        for (int days : new int[]{1, 7, 30}) {
            features.add(new JsonObject().put("name", "terminal_tx_" + days + "d")).add(new JsonObject().put("name", "terminal_risk_" + days + "d"));
            aggregates.add(new JsonObject().put("feature", "terminal_tx_" + days + "d").put("key", "terminal").put("function", "count")
                            .put("window", "P" + days + "D").put("delay", "P7D"))
                    .add(new JsonObject().put("feature", "terminal_risk_" + days + "d").put("key", "terminal")
                            .put("function", "positive_rate").put("window", "P" + days + "D").put("delay", "P7D"));
        }
        return DefinitionJson.read(new JsonObject().put("name", "fraud").put("model", "nb")
                .put("schema", new JsonObject().put("features", features).put("classes", new JsonArray().add("0").add("1")))
                .put("keys", new JsonArray().add("terminal")).put("aggregates", aggregates), 0);
    }

    /** The histories a store holds of these names, as the pending store's multi-get reads them (those it lacks left out). */
    private static Map<String, double[]> read(Map<String, double[]> store, java.util.Collection<String> names) {
        Map<String, double[]> histories = new HashMap<>();
        for (String name : names) {
            if (store.containsKey(name)) {
                histories.put(name, store.get(name));
            }
        }
        return histories;
    }

    /** Fills a request's computed features from the store's histories, and writes them back, as the writer does. */
    private static void score(AggregateFeatures computed, Map<String, double[]> store, ScoreRequest request) {
        Map<String, double[]> histories = read(store, computed.historiesNeeded(List.of(request)));
        computed.fill(List.of(request), 0, histories);
        store.putAll(histories);
    }

    @Test
    void terminalFraudRates_overWindowsAWeekBack_equalTheEvaluationsFeatures() throws Exception {
        ModelDefinition definition = terminals();
        Schema schema = definition.schema();
        AggregateFeatures computed = new AggregateFeatures(definition);
        Map<String, double[]> store = new HashMap<>();
        java.util.ArrayDeque<PendingEvents.Labelled> frauds = new java.util.ArrayDeque<>(); // labels on their way, a week long
        long week = Duration.ofDays(7).toMillis();
        int checked = 0;
        try (EventStream handbook = Streams.fraud(TestData.fraudHandbook().toString(), Duration.ofDays(7), 60_000);
             java.io.BufferedReader raw = new java.io.BufferedReader(new java.io.InputStreamReader(new java.util.zip.GZIPInputStream(
                     java.nio.file.Files.newInputStream(TestData.fraudHandbook()))))) {
            raw.readLine(); // the header
            Schema reference = handbook.schema();
            while (handbook.hasNext()) {
                LabelledEvent event = handbook.next();
                String terminal = raw.readLine().split(",")[3];
                while (!frauds.isEmpty() && frauds.peekFirst().eventTime() <= event.timeMillis() - week) {
                    PendingEvents.Labelled fraud = frauds.pollFirst(); // its label comes: learned positive
                    Map<String, double[]> touched = read(store, computed.historiesNeededBy(List.of(fraud)));
                    computed.labelled(List.of(fraud), touched);
                    store.putAll(touched);
                }
                Instance row = schema.toInstance(Map.of("amount", event.instance().value(reference.attributeOf(0))));
                String id = "tx" + checked;
                ScoreRequest request = new ScoreRequest(id, row, event.timeMillis(), List.of(terminal));
                score(computed, store, request);
                for (int f = 1; f <= 6; f++) { // terminal_tx_1d ... terminal_risk_30d, in the same order in both
                    assertEquals(event.instance().value(reference.attributeOf(9 + f)), row.value(schema.attributeOf(f)),
                            "transaction " + checked + ", " + schema.features().get(f).name());
                }
                if (event.instance().classValue() == 1) {
                    frauds.addLast(new PendingEvents.Labelled(id, new PendingEvents.ScoringRef(0, 0), 1, 0, false, event.timeMillis(),
                            List.of(terminal)));
                }
                checked++;
            }
        }
        assertEquals(60_000, checked);
    }

    @Test
    void cardWindows_equalTheEvaluationsFeatures() {
        ModelDefinition definition = definition();
        Schema schema = definition.schema();
        assertTrue(schema.features().get(1).optional(), "computed features are left out of events");
        AggregateFeatures computed = new AggregateFeatures(definition);
        Map<String, double[]> store = new HashMap<>(); // what the pending store keeps between batches
        int checked = 0;
        try (EventStream handbook = Streams.fraud(TestData.fraudHandbook().toString(), Duration.ofDays(7), 60_000)) {
            Schema reference = handbook.schema();
            while (handbook.hasNext()) {
                LabelledEvent event = handbook.next();
                Instance raw = schema.toInstance(Map.of("amount", event.instance().value(reference.attributeOf(0))));
                ScoreRequest request = new ScoreRequest("tx" + checked, raw, event.timeMillis(), List.of(Long.toString(event.entity())));
                score(computed, store, request);
                for (int f = 1; f <= 6; f++) { // customer_tx_1d ... customer_mean_amount_30d, in the same order in both
                    assertEquals(event.instance().value(reference.attributeOf(3 + f)), raw.value(schema.attributeOf(f)),
                            "transaction " + checked + ", " + schema.features().get(f).name());
                }
                checked++;
            }
        }
        assertEquals(60_000, checked);
    }
}
