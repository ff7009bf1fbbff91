package io.vigie.server;

import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.net.http.HttpResponse;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;

import static io.vigie.server.TestService.expect;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** The audit log lists every admin change in order, with key ids and never a key, and survives kill -9. */
class AuditLogTest {

    @TempDir
    Path dataDir;

    @Test
    void everyAdminChange_inOrder_survivesKill9_andHoldsNoKey() throws Exception {
        String readKey;
        String adminKeyId;
        JsonArray entries;
        long formerChampion;
        try (ServiceProcess service = new ServiceProcess(dataDir, null)) {
            JsonObject created = expect(201, send(service, "POST", "/v1/keys", new JsonObject().put("roles", new JsonArray().add("read"))));
            readKey = created.getString("key");
            expect(201, send(service, "POST", "/v1/models", ServiceApiTest.modelRequest("cards", "hat")));
            expect(201, send(service, "POST", "/v1/models/cards/challengers", new JsonObject().put("name", "forest").put("model", "arf")));
            expect(201, send(service, "POST", "/v1/models/cards/challengers", new JsonObject().put("name", "bayes").put("model", "nb")
                    .put("mode", "canary").put("share", 0.1)));
            JsonArray events = new JsonArray();
            JsonArray labels = new JsonArray();
            java.util.Random random = new java.util.Random(4);
            for (int i = 0; i < 300; i++) {
                JsonObject f = ServiceApiTest.features(random);
                events.add(new JsonObject().put("id", "tx" + i).put("features", f));
                labels.add(new JsonObject().put("id", "tx" + i).put("label", ServiceApiTest.truth(f)));
            }
            expect(200, send(service, "POST", "/v1/models/cards/predict/batch", new JsonObject().put("events", events)));
            expect(202, send(service, "POST", "/v1/models/cards/labels", new JsonObject().put("labels", labels)));
            expect(201, send(service, "POST", "/v1/models/cards/versions", new JsonObject()));
            formerChampion = expect(200, send(service, "POST", "/v1/models/cards/promote", new JsonObject().put("challenger", "forest")))
                    .getLong("former_champion_version");
            expect(200, send(service, "POST", "/v1/models/cards/rollback", new JsonObject().put("version", formerChampion)));
            assertEquals(204, send(service, "DELETE", "/v1/models/cards/challengers/bayes", null).statusCode());
            expect(201, send(service, "POST", "/v1/models", ServiceApiTest.modelRequest("other", "nb")));
            assertEquals(204, send(service, "DELETE", "/v1/models/other", null).statusCode());
            assertEquals(404, send(service, "POST", "/v1/models/cards/promote", new JsonObject().put("challenger", "gone")).statusCode(),
                    "a refused change is not a change");

            JsonObject audit = expect(200, send(service, "GET", "/v1/audit", null));
            entries = audit.getJsonArray("entries");
            adminKeyId = entries.getJsonObject(0).getString("key_id");
            service.kill();
        }
        List<String> actions = entries.stream().map(e -> ((JsonObject) e).getString("action")).toList();
        assertEquals(List.of("key.bootstrap", "key.create", "model.create", "challenger.add", "challenger.add", "model.snapshot", "challenger.promote",
                "model.rollback", "challenger.remove", "model.create", "model.delete"), actions);
        for (int i = 0; i < entries.size(); i++) {
            JsonObject entry = entries.getJsonObject(i);
            assertEquals(i + 1L, entry.getLong("seq"));
            assertEquals(adminKeyId, entry.getString("key_id"), "every change was made with the admin key");
            assertEquals("admin", entry.getString("role"));
        }
        JsonObject promotion = entries.getJsonObject(6).getJsonObject("details");
        assertEquals("forest", promotion.getString("challenger"));
        assertEquals(formerChampion, promotion.getLong("former_champion_version"));
        JsonObject rollback = entries.getJsonObject(7).getJsonObject("details");
        assertEquals(formerChampion, rollback.getLong("rolled_back_to"));
        assertEquals(rollback.getLong("version_before") + 1, rollback.getLong("version_after"));

        String file = Files.readString(dataDir.resolve("audit.log"));
        for (String key : List.of(TestService.ADMIN, readKey)) {
            assertFalse(file.contains(key), "a key in the audit log");
        }
        try (ServiceProcess restarted = new ServiceProcess(dataDir, null)) {
            JsonObject audit = expect(200, send(restarted, "GET", "/v1/audit", null));
            assertEquals(entries, audit.getJsonArray("entries"), "the same entries after kill -9");
            assertEquals(1, expect(200, send(restarted, "GET", "/v1/audit?after=10", null)).getJsonArray("entries").size());
            expect(201, send(restarted, "POST", "/v1/models/cards/versions", new JsonObject()));
            JsonArray after = expect(200, send(restarted, "GET", "/v1/audit?after=11", null)).getJsonArray("entries");
            assertEquals(12, after.getJsonObject(0).getLong("seq"), "numbering goes on");
            assertTrue(after.getJsonObject(0).getString("action").equals("model.snapshot"));
        }
    }

    private HttpResponse<String> send(ServiceProcess service, String method, String path, JsonObject body) throws Exception {
        return service.send(method, path, body);
    }
}
