package io.vigie.server;

import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.net.http.HttpResponse;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.util.Random;

import static io.vigie.server.TestService.expect;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * Chargeback-only label feeds: an event no label came for within the model's period is learned as
 * the declared class, on the events' own clock; a later label that contradicts it is a correction,
 * one that agrees changes nothing; both survive a restart.
 */
class ImplicitLabelsTest {
    private static final Instant DAY0 = Instant.parse("2018-04-01T00:00:00Z");

    @TempDir
    Path dataDir;
    private final Random random = new Random(5);

    private static JsonObject model() {
        return ServiceApiTest.modelRequest("m", "nb").put("label_ttl", "P90D")
                .put("implicit_label", new JsonObject().put("class", "ok").put("after", "P7D"));
    }

    private JsonObject event(String id, Instant time) {
        return new JsonObject().put("id", id).put("features", ServiceApiTest.features(random)).put("time", time.toString());
    }

    private static JsonObject label(String id, String label, Instant time) {
        return new JsonObject().put("id", id).put("label", label).put("time", time.toEpochMilli());
    }

    private static Instant day(double days) {
        return DAY0.plus(Duration.ofMinutes(Math.round(days * 24 * 60)));
    }

    @Test
    void silenceIsLearnedAsTheDeclaredClass_andALaterLabelCorrectsIt() throws Exception {
        try (TestService service = new TestService(dataDir)) {
            expect(201, service.post("/v1/models", model()));
            for (int i = 0; i < 20; i++) {
                expect(200, service.post("/v1/models/m/predict", event("tx" + i, day(i / 24.0))));
            }
            expect(202, service.post("/v1/models/m/labels", label("tx3", "fraud", day(1))));
            JsonObject before = expect(200, service.get("/v1/models/m"));
            assertEquals(0, before.getJsonObject("labels").getLong("implied"), "no period has ended by day 1");

            // an event of day 8 moves the model's clock past the periods of day 0: their labels are implied
            expect(200, service.post("/v1/models/m/predict", event("tx20", day(8))));
            // a label sent after that (the slow lane keeps the order) contradicts one: a correction
            // (labels stay before day 15 here, so that tx20's own period does not end yet)
            expect(202, service.post("/v1/models/m/labels", label("tx5", "fraud", day(12))));

            JsonObject after = expect(200, service.get("/v1/models/m"));
            JsonObject labels = after.getJsonObject("labels");
            assertEquals(19, labels.getLong("implied"), "every event of day 0 but the one labelled: " + labels);
            assertEquals(1, labels.getLong("corrected"), labels.encode());
            assertEquals(20, labels.getLong("learned"), "one sent and 19 implied labels measured; the correction is not measured twice");
            assertEquals(day(12).toString(), after.getString("clock"), "the model's clock is the latest time it saw");

            JsonObject implied = expect(200, service.get("/v1/models/m/predictions/tx6"));
            assertEquals("ok", implied.getString("label"));
            assertTrue(implied.getBoolean("label_implied"));
            assertEquals(day(6 / 24.0).toString(), implied.getString("time"), "the event's own time is kept");
            JsonObject corrected = expect(200, service.get("/v1/models/m/predictions/tx5"));
            assertEquals("fraud", corrected.getString("label"));
            assertFalse(corrected.getBoolean("label_implied"));

            JsonObject confirmed = expect(202, service.post("/v1/models/m/labels", label("tx6", "ok", day(13))));
            assertEquals("confirmed", confirmed.getString("status"), "a label that agrees with the implied one changes nothing");
            assertEquals(409, service.post("/v1/models/m/labels", label("tx5", "ok", day(13))).statusCode(),
                    "a sent label is final");
            assertEquals(409, service.post("/v1/models/m/labels", label("tx3", "fraud", day(13))).statusCode());
            long version = expect(200, service.get("/v1/models/m")).getLong("version");
            assertEquals(1 + 19 + 1, version, "one record per label learned: sent, implied, corrected");

            String metrics = service.get("/metrics").body();
            assertTrue(metrics.contains("vigie_labels_implied_total{model=\"m\"} 19.0"), metrics);
            assertTrue(metrics.contains("vigie_labels_corrections_total{model=\"m\"} 1.0"), metrics);
        }
        try (TestService service = new TestService(dataDir)) {
            JsonObject recovered = expect(200, service.get("/v1/models/m"));
            assertEquals(21, recovered.getJsonObject("recovery").getLong("snapshot"), "the closing snapshot reads back");
            assertTrue(recovered.getJsonObject("recovery").getJsonArray("unreadable_snapshots").isEmpty());
            assertEquals(19, recovered.getJsonObject("labels").getLong("implied"), "kept in the snapshot");
            assertEquals(1, recovered.getJsonObject("labels").getLong("corrected"));
            assertEquals(21, recovered.getLong("version"));
            // tx20, scored on day 8 before the restart, is implied once the clock passes day 15
            expect(200, service.post("/v1/models/m/predict", event("tx21", day(16))));
            expect(202, service.post("/v1/models/m/labels", label("tx21", "fraud", day(16))));
            JsonObject later = expect(200, service.get("/v1/models/m"));
            assertEquals(20, later.getJsonObject("labels").getLong("implied"), later.getJsonObject("labels").encode());
            assertTrue(expect(200, service.get("/v1/models/m/predictions/tx20")).getBoolean("label_implied"));
        }
    }

    @Test
    void labelTtls_runOnTheEventsOwnTime() throws Exception {
        try (TestService service = new TestService(dataDir)) {
            expect(201, service.post("/v1/models", model()));
            expect(200, service.post("/v1/models/m/predict", event("old", day(0)).put("time", day(0).toEpochMilli())));
            HttpResponse<String> late = service.post("/v1/models/m/labels", label("old", "fraud", day(91)));
            assertEquals(410, late.statusCode(), "91 days after the event's time, past the 90-day TTL: " + late.body());
            HttpResponse<String> untimed = service.post("/v1/models/m/labels", new JsonObject().put("id", "old").put("label", "fraud"));
            assertEquals(410, untimed.statusCode(), "a label without a time arrives now, years after 2018");
            expect(200, service.post("/v1/models/m/predict", event("recent", day(0))));
            expect(202, service.post("/v1/models/m/labels", label("recent", "fraud", day(89))));
        }
    }

    @Test
    void badTimesAndPeriods_areClearRefusals() throws Exception {
        try (TestService service = new TestService(dataDir)) {
            JsonObject tooLong = model().put("implicit_label", new JsonObject().put("class", "ok").put("after", "P90D"));
            HttpResponse<String> refused = service.post("/v1/models", tooLong);
            assertEquals(422, refused.statusCode());
            assertTrue(refused.body().contains("shorter than 'label_ttl'"), refused.body());
            JsonObject unknownClass = model().put("implicit_label", new JsonObject().put("class", "genuine").put("after", "P7D"));
            assertEquals(422, service.post("/v1/models", unknownClass).statusCode());
            expect(201, service.post("/v1/models", model()));

            HttpResponse<String> noOffset = service.post("/v1/models/m/predict", event("a", day(0)).put("time", "2018-04-01T00:00:00"));
            assertEquals(422, noOffset.statusCode(), "a time without its offset is ambiguous");
            assertTrue(noOffset.body().contains("RFC 3339"), noOffset.body());
            assertEquals(400, service.post("/v1/models/m/predict", event("b", day(0)).put("time", true)).statusCode());
            assertEquals(422, service.post("/v1/models/m/predict", event("c", day(0)).put("time", -5)).statusCode());
            JsonArray batch = new JsonArray().add(event("d", day(0))).add(event("e", day(0)).put("time", "yesterday"));
            JsonObject answer = expect(200, service.post("/v1/models/m/predict/batch", new JsonObject().put("events", batch)));
            assertEquals(422, answer.getJsonArray("predictions").getJsonObject(1).getInteger("status"), "a bad time fails its event alone");
            JsonObject offset = expect(200, service.post("/v1/models/m/predict", event("f", day(0)).put("time", "2018-04-01T02:00:00+02:00")));
            assertEquals("f", offset.getString("id"));
            assertEquals(DAY0.toString(), expect(200, service.get("/v1/models/m/predictions/f")).getString("time"));
        }
    }
}
