package io.vigie.server;

import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.net.http.HttpResponse;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;

import static io.vigie.server.TestService.expect;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * Keys an operator manages: listed without secrets, revoked at once, scoped to models, expiring;
 * the bootstrap admin key replaced when VIGIE_ADMIN_KEY changes; every change audited.
 */
class KeyManagementTest {
    @TempDir
    Path dataDir;

    @Test
    void listRevokeScopeAndExpiry() throws Exception {
        TestClock clock = new TestClock(java.time.Instant.parse("2026-12-01T09:00:00Z"));
        try (TestService service = new TestService(dataDir, new JsonObject(), clock)) {
            expect(201, service.post("/v1/models", ServiceApiTest.modelRequest("cards", "nb")));
            expect(201, service.post("/v1/models", ServiceApiTest.modelRequest("loans", "nb")));
            JsonObject reader = expect(201, service.post("/v1/keys", new JsonObject().put("roles", new JsonArray().add("read"))));
            JsonObject scoped = expect(201, service.post("/v1/keys", new JsonObject().put("roles", new JsonArray().add("admin"))
                    .put("models", new JsonArray().add("cards"))));
            assertEquals(List.of("cards"), scoped.getJsonArray("models").getList());
            String expiry = clock.instant().plus(Duration.ofHours(1)).toString();
            JsonObject expiring = expect(201, service.post("/v1/keys", new JsonObject().put("roles", new JsonArray().add("predict"))
                    .put("expires_at", expiry)));
            assertEquals(expiry, expiring.getString("expires_at"));

            expect(200, service.send("GET", "/v1/models/cards", reader.getString("key"), null));
            JsonObject listed = expect(200, service.get("/v1/keys"));
            String text = listed.encode();
            for (JsonObject key : List.of(reader, scoped, expiring)) {
                assertFalse(text.contains(key.getString("key")), "never a secret");
            }
            assertFalse(text.contains("hmac"), "never a hash");
            JsonObject readerEntry = entry(listed, reader.getString("id"));
            assertEquals(List.of("read"), readerEntry.getJsonArray("roles").getList());
            assertEquals(clock.instant().toString(), readerEntry.getString("last_used_at"));
            assertNull(entry(listed, scoped.getString("id")).getString("last_used_at"), "never used yet");
            String admin = expect(200, service.get("/v1/audit")).getJsonArray("entries").getJsonObject(0).getString("key_id");
            assertEquals(List.of(admin), listed.getJsonArray("keys").stream().map(JsonObject.class::cast)
                    .filter(k -> k.getBoolean("bootstrap")).map(k -> k.getString("id")).toList(), "the admin key from VIGIE_ADMIN_KEY");

            // scope: the key reaches its models' routes only, lists only them, and cannot manage keys or read the audit
            String cards = scoped.getString("key");
            expect(200, service.send("GET", "/v1/models/cards", cards, null));
            expect(201, service.send("POST", "/v1/models/cards/versions", cards, null));
            HttpResponse<String> other = service.send("GET", "/v1/models/loans", cards, null);
            assertEquals(403, other.statusCode());
            assertTrue(other.body().contains("scoped to the models [cards]"), other.body());
            assertEquals(403, service.send("POST", "/v1/models/loans/predict", cards,
                    "{\"id\": \"x\", \"features\": {}}").statusCode(), "refused before the body is read");
            JsonArray seen = expect(200, service.send("GET", "/v1/models", cards, null)).getJsonArray("models");
            assertEquals(1, seen.size());
            assertEquals("cards", seen.getJsonObject(0).getString("name"));
            assertEquals(403, service.send("POST", "/v1/models", cards, ServiceApiTest.modelRequest("third", "nb").encode()).statusCode());
            assertEquals(403, service.send("GET", "/v1/keys", cards, null).statusCode());
            assertEquals(403, service.send("GET", "/v1/audit", cards, null).statusCode());

            // expiry: valid until its time, then a 401 that says so
            String features = "{\"id\": \"e1\", \"features\": {\"amount\": 3, \"hour\": 1, \"channel\": \"web\"}}";
            expect(200, service.send("POST", "/v1/models/cards/predict", expiring.getString("key"), features));
            clock.advance(Duration.ofHours(1));
            HttpResponse<String> expired = service.send("POST", "/v1/models/cards/predict", expiring.getString("key"), features);
            assertEquals(401, expired.statusCode());
            assertTrue(expired.body().contains("expired at " + expiry), expired.body());
            assertTrue(entry(expect(200, service.get("/v1/keys")), expiring.getString("id")).getBoolean("expired"));
            assertEquals(422, service.post("/v1/keys", new JsonObject().put("roles", new JsonArray().add("read"))
                    .put("expires_at", clock.instant().minusSeconds(1).toString())).statusCode(), "already past");

            // revocation: at once
            expect(204, service.send("DELETE", "/v1/keys/" + reader.getString("id"), TestService.ADMIN, null));
            assertEquals(401, service.send("GET", "/v1/models/cards", reader.getString("key"), null).statusCode());
            assertEquals(404, service.send("DELETE", "/v1/keys/" + reader.getString("id"), TestService.ADMIN, null).statusCode());
            HttpResponse<String> last = service.send("DELETE", "/v1/keys/" + admin, TestService.ADMIN, null);
            assertEquals(409, last.statusCode(), "the last admin key for every model is kept");
            assertTrue(last.body().contains("last admin key"), last.body());

            JsonArray audit = expect(200, service.get("/v1/audit")).getJsonArray("entries");
            List<String> actions = audit.stream().map(e -> ((JsonObject) e).getString("action")).toList();
            assertEquals(List.of("key.bootstrap", "model.create", "model.create", "key.create", "key.create", "key.create",
                    "model.snapshot", "key.revoke"), actions);
            assertEquals(reader.getString("id"), audit.getJsonObject(7).getJsonObject("details").getString("revoked_key_id"));
            assertEquals(List.of("cards"), audit.getJsonObject(4).getJsonObject("details").getJsonArray("models").getList());
        }
        // the last use survives a restart
        try (TestService service = new TestService(dataDir, new JsonObject(), clock)) {
            JsonObject listed = expect(200, service.get("/v1/keys"));
            assertTrue(listed.getJsonArray("keys").stream().anyMatch(k -> ((JsonObject) k).getString("last_used_at") != null));
        }
    }

    @Test
    void aNewBootstrapKeyReplacesTheOldOne() throws Exception {
        String first = "first-admin-key-0123456789abcdef";
        String second = "second-admin-key-0123456789abcdef";
        String created;
        try (TestService service = new TestService(dataDir, new JsonObject().put("admin_key", first))) {
            created = expect(201, service.send("POST", "/v1/keys", first, "{\"roles\": [\"admin\"]}")).getString("key");
        }
        try (TestService service = new TestService(dataDir, new JsonObject().put("admin_key", first))) {
            expect(200, service.send("GET", "/v1/keys", first, null)); // the same key again: still valid, nothing audited
        }
        try (TestService service = new TestService(dataDir, new JsonObject().put("admin_key", second))) {
            assertEquals(401, service.send("GET", "/v1/keys", first, null).statusCode(), "the former bootstrap key is revoked");
            JsonArray keys = expect(200, service.send("GET", "/v1/keys", second, null)).getJsonArray("keys");
            assertEquals(2, keys.size(), "the new bootstrap key and the key made through the API");
            expect(200, service.send("GET", "/v1/keys", created, null));
            JsonArray audit = expect(200, service.send("GET", "/v1/audit", second, null)).getJsonArray("entries");
            List<String> actions = audit.stream().map(e -> ((JsonObject) e).getString("action")).toList();
            assertEquals(List.of("key.bootstrap", "key.create", "key.bootstrap"), actions);
            JsonObject replaced = audit.getJsonObject(2).getJsonObject("details");
            assertEquals(audit.getJsonObject(0).getString("key_id"), replaced.getJsonArray("revoked_key_ids").getString(0));
        }
        String stored = Files.readString(dataDir.resolve("keys.json"));
        assertFalse(stored.contains(second) || stored.contains(created), "no secret at rest");
    }

    @Test
    void anAdminKeyGeneratedAtFirstStartIsAudited() throws Exception {
        try (TestService service = new TestService(dataDir, new JsonObject().putNull("admin_key"))) {
            String generated = service.generatedAdminKey();
            assertTrue(generated != null && generated.startsWith("vigie_"), "made and shown once");
            JsonArray audit = expect(200, service.send("GET", "/v1/audit", generated, null)).getJsonArray("entries");
            assertEquals(1, audit.size());
            assertEquals("key.bootstrap", audit.getJsonObject(0).getString("action"));
            JsonArray keys = expect(200, service.send("GET", "/v1/keys", generated, null)).getJsonArray("keys");
            assertEquals(keys.getJsonObject(0).getString("id"), audit.getJsonObject(0).getJsonObject("details").getString("created_key_id"));
        }
    }

    private static JsonObject entry(JsonObject listed, String id) {
        return listed.getJsonArray("keys").stream().map(JsonObject.class::cast).filter(k -> k.getString("id").equals(id))
                .findFirst().orElseThrow(() -> new AssertionError("no key " + id + " in " + listed.encode()));
    }
}
