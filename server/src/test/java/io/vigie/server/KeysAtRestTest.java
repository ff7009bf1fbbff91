package io.vigie.server;

import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;

import static io.vigie.server.TestService.expect;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** What a stolen keys.json gives away (nothing without the server's secret), and which admin keys are refused. */
class KeysAtRestTest {
    @TempDir
    Path dataDir;

    @Test
    void keysAreStoredUnderTheServerSecret_inFilesOnlyTheOwnerReads(@TempDir Path elsewhere) throws Exception {
        String created;
        try (TestService service = new TestService(dataDir)) {
            created = expect(201, service.post("/v1/keys", new JsonObject().put("roles", new JsonArray().add("read")))).getString("key");
        }
        String stored = Files.readString(dataDir.resolve("keys.json"));
        assertFalse(stored.contains("sha256"), "no plain hash: " + stored);
        assertFalse(stored.contains(created), "never the key itself");
        assertEquals("rw-------", PosixFilePermissions.toString(Files.getPosixFilePermissions(dataDir.resolve("keys.json"))));
        assertEquals("rw-------", PosixFilePermissions.toString(Files.getPosixFilePermissions(dataDir.resolve("secret.key"))));
        assertEquals("rwx------", PosixFilePermissions.toString(Files.getPosixFilePermissions(dataDir)));

        Files.createDirectories(elsewhere);
        Files.copy(dataDir.resolve("keys.json"), elsewhere.resolve("keys.json"));
        try (TestService other = new TestService(elsewhere)) {
            assertEquals(401, other.send("GET", "/v1/models", created, null).statusCode(), "keys.json without its secret is useless");
        }
        try (TestService again = new TestService(dataDir)) {
            assertEquals(200, again.send("GET", "/v1/models", created, null).statusCode(), "with it, the key still works");
        }
    }

    @Test
    void aShortOrRepetitiveAdminKey_isRefusedAtStart() {
        for (String weak : new String[]{"x", "aaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaa", "short-key-123"}) {
            Exception refused = assertThrows(Exception.class, () -> new TestService(dataDir, new JsonObject().put("admin_key", weak)));
            assertTrue(String.valueOf(refused.getMessage()).contains("at least 24 characters"), weak + ": " + refused.getMessage());
        }
    }
}
