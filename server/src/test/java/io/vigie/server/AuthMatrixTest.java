package io.vigie.server;

import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.net.http.HttpResponse;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;

import static io.vigie.server.TestService.expect;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * Every route of the OpenAPI document × every role: no key or an unknown key is 401, a key
 * without the route's role is 403, a key with it (or admin) gets past auth. Public routes
 * answer without a key.
 */
class AuthMatrixTest {
    private static final List<String> ROLES = List.of("predict", "label", "read", "admin");

    @TempDir
    Path dataDir;

    @Test
    void everyRouteTimesEveryRole() throws Exception {
        try (TestService service = new TestService(dataDir)) {
            Map<String, String> keys = new LinkedHashMap<>();
            for (String role : ROLES) {
                keys.put(role, expect(201, service.post("/v1/keys", new JsonObject().put("roles", new JsonArray().add(role))))
                        .getString("key"));
            }
            JsonObject paths = expect(200, service.send("GET", "/openapi.json", null, null)).getJsonObject("paths");
            List<String[]> deletes = new ArrayList<>();
            int checked = 0;
            int expected = 0;
            for (String template : paths.fieldNames()) {
                String path = template.replace("{name}", "m").replace("{id}", "x").replace("{challenger}", "c")
                        .replace("{version}", "0");
                for (String method : paths.getJsonObject(template).fieldNames()) {
                    if (method.equals("parameters")) {
                        continue; // the path's parameters, not an operation
                    }
                    JsonObject operation = paths.getJsonObject(template).getJsonObject(method);
                    String verb = method.toUpperCase(Locale.ROOT);
                    String body = verb.equals("GET") || verb.equals("DELETE") ? null : "{}";
                    String needed = operation.getString("x-vigie-role");
                    expected += needed == null ? 1 : ROLES.size();
                    if (needed == null) {
                        assertEquals(200, service.send(verb, path, null, body).statusCode(), verb + " " + path + " is public");
                        checked++;
                        continue;
                    }
                    String where = verb + " " + path;
                    assertEquals(401, service.send(verb, path, null, body).statusCode(), where + " without a key");
                    assertEquals(401, service.send(verb, path, "vigie_not-a-key", body).statusCode(), where + " with an unknown key");
                    for (String role : ROLES) {
                        boolean allowed = role.equals(needed) || role.equals("admin");
                        if (allowed && verb.equals("DELETE")) {
                            deletes.add(new String[]{verb, path, keys.get(role)}); // last, so the others find the model
                            continue;
                        }
                        HttpResponse<String> response = service.send(verb, path, keys.get(role), body);
                        if (allowed) {
                            assertFalse(response.statusCode() == 401 || response.statusCode() == 403,
                                    where + " as " + role + ": " + response.statusCode() + " " + response.body());
                            assertTrue(response.statusCode() < 500, where + " as " + role + ": " + response.body());
                        } else {
                            assertEquals(403, response.statusCode(), where + " as " + role);
                            assertTrue(response.body().contains("'" + needed + "' role"), response.body());
                        }
                        checked++;
                    }
                }
            }
            for (String[] delete : deletes) {
                if (service.get("/v1/models/m").statusCode() == 404) {
                    expect(201, service.post("/v1/models", ServiceApiTest.modelRequest("m", "nb")));
                }
                if (delete[1].endsWith("/challengers/c")) {
                    expect(201, service.post("/v1/models/m/challengers", new JsonObject().put("name", "c").put("model", "nb")));
                }
                if (delete[1].endsWith("/versions/0")) { // a newer version first: the newest cannot be deleted
                    JsonObject f = ServiceApiTest.features(new java.util.Random(3));
                    expect(202, service.post("/v1/models/m/events", new JsonObject().put("id", "newer" + checked).put("features", f)
                            .put("label", ServiceApiTest.truth(f))));
                    expect(201, service.post("/v1/models/m/versions", new JsonObject()));
                }
                if (delete[1].startsWith("/v1/keys/")) { // a key of its own to revoke
                    delete[1] = "/v1/keys/" + expect(201, service.post("/v1/keys", new JsonObject().put("roles",
                            new io.vertx.core.json.JsonArray().add("read")))).getString("id");
                }
                assertEquals(204, service.send(delete[0], delete[1], delete[2], null).statusCode(), "DELETE " + delete[1] + " with its role");
                checked++;
            }
            assertEquals(expected, checked, "every route × role pair was checked");
            assertTrue(checked >= 60, "the document lists the API: " + checked + " pairs");
        }
    }
}
