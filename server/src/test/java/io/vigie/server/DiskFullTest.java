package io.vigie.server;

import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;
import org.junit.jupiter.api.Assumptions;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.io.IOException;
import java.io.OutputStream;
import java.net.http.HttpResponse;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Random;

import static io.vigie.server.TestService.expect;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * The data dir on a small tmpfs that fills up: writes are refused with a 503 that says why
 * (disk-full, below the reserve), nothing acknowledged is lost or corrupt, and every kind of write
 * is taken again once space returns. It mounts a tmpfs, so it needs root; elsewhere it is skipped
 * with a message.
 */
class DiskFullTest {
    @TempDir
    Path tmp;

    @Test
    void aFullDisk_refusesWritesClearly_andTheServiceGoesOnOnceSpaceReturns() throws Exception {
        Path volume = tmp.resolve("volume");
        Files.createDirectories(volume);
        Assumptions.assumeTrue(run("mount", "-t", "tmpfs", "-o", "size=48m", "tmpfs", volume.toString()) == 0,
                "cannot mount a tmpfs here (needs root); skipping the disk-full campaign");
        try {
            Path data = volume.resolve("data");
            Path filler = volume.resolve("filler");
            long acknowledged = 0;
            Random random = new Random(8);
            // the disk fills at once here, so the free space is read on every write rather than every 100 ms
            JsonObject config = new JsonObject().put("min_free_bytes", 4L << 20).put("disk_check_ms", 0);
            try (TestService service = new TestService(data, config)) {
                expect(201, service.post("/v1/models", ServiceApiTest.modelRequest("cards", "hat")));
                acknowledged += learn(service, random, 500);
                fill(filler);

                int refused = 0;
                for (int i = 0; i < 10; i++) {
                    HttpResponse<String> events = service.post("/v1/models/cards/events", batch(random, 200, true));
                    HttpResponse<String> predictions = service.post("/v1/models/cards/predict/batch", batch(random, 200, false));
                    for (HttpResponse<String> r : java.util.List.of(events, predictions)) {
                        assertTrue(r.statusCode() == 202 || r.statusCode() == 200 || r.statusCode() == 503, r.statusCode() + " " + r.body());
                        if (r.statusCode() == 503) {
                            refused++;
                            assertTrue(r.body().contains("disk-full") && r.body().contains("retry once space is freed")
                                    && r.headers().firstValue("Retry-After").isPresent(), r.body());
                        }
                    }
                    if (events.statusCode() == 202) {
                        acknowledged += new JsonObject(events.body()).getLong("learned");
                    }
                }
                assertTrue(refused > 0, "the full disk refused some writes");
                // every other write too: a key, a model, a snapshot; and nothing half-made
                for (HttpResponse<String> r : java.util.List.of(
                        service.post("/v1/keys", new JsonObject().put("roles", new JsonArray().add("read"))),
                        service.post("/v1/models", ServiceApiTest.modelRequest("late", "nb")),
                        service.post("/v1/models/cards/versions", new JsonObject()))) {
                    assertEquals(503, r.statusCode(), r.body());
                    assertTrue(r.body().contains("disk-full") && !r.body().contains(data.toString()), r.body());
                }
                assertTrue(Files.notExists(data.resolve("models").resolve("late")), "no empty model folder left behind");
                assertEquals(200, service.send("GET", "/health/live", null, null).statusCode());

                Files.delete(filler);
                acknowledged += learn(service, random, 400); // writes are taken again
                JsonObject scored = batch(random, 100, false);
                expect(200, service.post("/v1/models/cards/predict/batch", scored));
                JsonArray labels = new JsonArray();
                scored.getJsonArray("events").forEach(e -> labels.add(new JsonObject().put("id", ((JsonObject) e).getString("id"))
                        .put("label", ServiceApiTest.truth(((JsonObject) e).getJsonObject("features")))));
                acknowledged += expect(202, service.post("/v1/models/cards/labels", new JsonObject().put("labels", labels))).getLong("learned");
                assertEquals(acknowledged, expect(200, service.get("/v1/models/cards")).getLong("learned"));
            }
            try (TestService restarted = new TestService(data, config)) {
                JsonObject model = expect(200, restarted.get("/v1/models/cards"));
                assertEquals(acknowledged, model.getLong("learned"), "every acknowledged event, after a restart: the log is whole");
            }
        } finally {
            run("umount", "-l", volume.toString());
        }
    }

    private static long learn(TestService service, Random random, int n) throws Exception {
        return expect(202, service.post("/v1/models/cards/events", batch(random, n, true))).getLong("learned");
    }

    private static JsonObject batch(Random random, int n, boolean labelled) {
        JsonArray events = new JsonArray();
        for (int i = 0; i < n; i++) {
            JsonObject f = ServiceApiTest.features(random);
            JsonObject event = new JsonObject().put("id", "e" + random.nextLong()).put("features", f);
            events.add(labelled ? event.put("label", ServiceApiTest.truth(f)) : event);
        }
        return new JsonObject().put("events", events);
    }

    /** Writes a file until the volume has no space left. */
    private static void fill(Path filler) {
        byte[] chunk = new byte[64 * 1024];
        try (OutputStream out = Files.newOutputStream(filler)) {
            while (true) {
                out.write(chunk);
            }
        } catch (IOException full) {
            // no space left: what we wanted
        }
    }

    private static int run(String... command) throws Exception {
        Process process = new ProcessBuilder(command).redirectErrorStream(true).start();
        process.getInputStream().readAllBytes();
        return process.waitFor();
    }
}
