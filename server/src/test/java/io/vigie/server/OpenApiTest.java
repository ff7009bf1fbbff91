package io.vigie.server;

import io.vertx.core.json.JsonObject;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.nio.file.Path;
import java.util.Locale;
import java.util.Set;
import java.util.TreeSet;

import static io.vigie.server.TestService.expect;
import static org.junit.jupiter.api.Assertions.assertEquals;

/** The OpenAPI document the service serves names exactly the routes it answers. */
class OpenApiTest {
    @TempDir
    Path dataDir;

    @Test
    void theDocumentAndTheRouterAgree() throws Exception {
        try (TestService service = new TestService(dataDir)) {
            JsonObject doc = expect(200, service.send("GET", "/openapi.json", null, null));
            assertEquals("3.1.0", doc.getString("openapi"));
            Set<String> documented = new TreeSet<>();
            JsonObject paths = doc.getJsonObject("paths");
            for (String path : paths.fieldNames()) {
                for (String method : paths.getJsonObject(path).fieldNames()) {
                    documented.add(method.toUpperCase(Locale.ROOT) + " " + path);
                }
            }
            assertEquals(new TreeSet<>(service.routeTable()), documented);
        }
    }
}
