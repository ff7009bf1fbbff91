package io.vigie.server;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import io.vertx.core.json.JsonObject;
import io.vigie.client.Operation;
import io.vigie.client.VigieClient;
import io.vigie.client.VigieException;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.nio.file.Path;
import java.util.Arrays;
import java.util.Locale;
import java.util.Map;
import java.util.Random;
import java.util.TreeMap;
import java.util.stream.Collectors;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** The Java client ({@code client/}): its operations are exactly the document's, and it works against a live service. */
class JavaClientTest {
    private static final ObjectMapper JSON = new ObjectMapper();

    @TempDir
    Path dataDir;

    @Test
    void theClientsOperationsAreTheDocuments() throws Exception {
        JsonObject paths;
        try (java.io.InputStream in = JavaClientTest.class.getResourceAsStream("/openapi.json")) {
            paths = new JsonObject(new String(in.readAllBytes(), java.nio.charset.StandardCharsets.UTF_8)).getJsonObject("paths");
        }
        Map<String, String> documented = new TreeMap<>();
        for (String path : paths.fieldNames()) {
            for (String method : paths.getJsonObject(path).fieldNames()) {
                if (method.equals("parameters")) {
                    continue;
                }
                JsonObject operation = paths.getJsonObject(path).getJsonObject(method);
                String success = operation.getJsonObject("responses").fieldNames().stream().filter(s -> s.startsWith("2"))
                        .sorted().findFirst().orElseThrow();
                documented.put(operation.getString("operationId"), method.toUpperCase(Locale.ROOT) + " " + path + " " + success);
            }
        }
        Map<String, String> client = Arrays.stream(Operation.values()).collect(Collectors.toMap(Operation::id,
                o -> o.method() + " " + o.path() + " " + o.success(), (a, b) -> a, TreeMap::new));
        assertEquals(documented, client);
    }

    @Test
    void createPredictLabelLaterAndRead() throws Exception {
        try (TestService service = new TestService(dataDir)) {
            VigieClient vigie = new VigieClient("http://127.0.0.1:" + service.port() + "/", TestService.ADMIN);
            ObjectNode definition = (ObjectNode) JSON.readTree(ServiceApiTest.modelRequest("java-cards", "hat").encode());
            assertEquals(0, vigie.createModel(definition).get("learned").asLong());

            Random random = new Random(9);
            JsonObject first = ServiceApiTest.features(random);
            JsonNode single = vigie.predict("java-cards", event("tx 0", first));
            assertEquals("tx 0", single.get("id").asText(), "an id with a space goes through the path and body alike");
            ArrayNode events = JSON.createArrayNode();
            ArrayNode labels = JSON.createArrayNode();
            labels.addObject().put("id", "tx 0").put("label", ServiceApiTest.truth(first));
            for (int i = 1; i <= 100; i++) {
                JsonObject features = ServiceApiTest.features(random);
                events.add(event("tx " + i, features));
                labels.addObject().put("id", "tx " + i).put("label", ServiceApiTest.truth(features));
            }
            ArrayNode predictions = vigie.predictBatch("java-cards", events);
            assertEquals(100, predictions.size());
            assertEquals("tx 100", predictions.get(99).get("id").asText());

            assertEquals(101, vigie.postLabels("java-cards", labels).get("learned").asInt());
            JsonNode model = vigie.getModel("java-cards");
            assertEquals(101, model.get("learned").asLong());
            assertEquals(101, model.at("/metrics/cumulative/labelled").asLong());
            assertEquals("tx 7", vigie.getStoredPrediction("java-cards", "tx 7").get("id").asText());
            assertEquals("java-cards", vigie.listModels().get(0).get("name").asText());

            VigieException duplicate = assertThrows(VigieException.class, () -> vigie.postLabels("java-cards", labels));
            assertEquals(409, duplicate.status(), "every label was learned already");
            assertEquals("duplicate", duplicate.body().at("/results/0/outcome").asText());
            VigieException unknown = assertThrows(VigieException.class, () -> vigie.getModel("nothing"));
            assertEquals(404, unknown.status());
            assertTrue(unknown.type().endsWith("/unknown-model"), unknown.type());
            assertTrue(unknown.getMessage().contains("there is no model named 'nothing'"), unknown.getMessage());

            vigie.deleteModel("java-cards");
            assertEquals(0, vigie.listModels().size());
        }
    }

    private static ObjectNode event(String id, JsonObject features) throws Exception {
        ObjectNode event = JSON.createObjectNode().put("id", id);
        event.set("features", JSON.readTree(features.encode()));
        return event;
    }
}
