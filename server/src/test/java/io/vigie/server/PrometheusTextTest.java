package io.vigie.server;

import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;
import org.junit.jupiter.api.Assumptions;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Random;
import java.util.concurrent.TimeUnit;

import static io.vigie.server.TestService.expect;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * {@code /metrics} after real traffic is valid Prometheus text for Prometheus' own linter, and
 * holds the meters the service documents. CI installs promtool (Debian's {@code prometheus});
 * elsewhere the promtool half is skipped with a message, the meter half always runs.
 */
class PrometheusTextTest {
    @TempDir
    Path dataDir;

    @Test
    void metricsAfterTraffic_holdEveryDocumentedMeter_andPassPromtool() throws Exception {
        String text;
        try (TestService service = new TestService(dataDir)) {
            expect(201, service.post("/v1/models", ServiceApiTest.modelRequest("cards", "committee")));
            expect(201, service.post("/v1/models/cards/challengers", new JsonObject().put("name", "bayes").put("model", "nb")));
            Random random = new Random(5);
            for (int i = 0; i < 50; i++) {
                JsonObject f = ServiceApiTest.features(random);
                expect(200, service.post("/v1/models/cards/predict", new JsonObject().put("id", "tx" + i).put("features", f)));
                expect(202, service.post("/v1/models/cards/labels", new JsonObject().put("id", "tx" + i).put("label", ServiceApiTest.truth(f))));
            }
            for (int batch = 0; batch < 2; batch++) { // two windows of the input drift monitor: one check with a reference
                JsonArray events = new JsonArray();
                for (int i = 0; i < 1000; i++) {
                    events.add(new JsonObject().put("id", "b" + batch + "-" + i).put("features", ServiceApiTest.features(random)));
                }
                expect(200, service.post("/v1/models/cards/predict/batch", new JsonObject().put("events", events)));
            }
            assertEquals(404, service.post("/v1/models/cards/labels", new JsonObject().put("id", "unknown").put("label", "ok")).statusCode());
            expect(201, service.post("/v1/models/cards/versions", new JsonObject()));
            text = expect200(service.send("GET", "/metrics", null, null));
        }
        for (String meter : List.of("vigie_predictions_total{model=\"cards\"} 2050.0", "vigie_events_learned_total{model=\"cards\"} 50.0",
                "vigie_labels_rejected_total{model=\"cards\",outcome=\"unknown_id\"} 1.0", "vigie_abstentions_total",
                "vigie_pending_labels{model=\"cards\"} 2000.0", "vigie_accuracy{model=\"cards\"}", "vigie_coverage{model=\"cards\"}",
                "vigie_abstention_rate{model=\"cards\"}", "vigie_drift_resets{model=\"cards\"}", "vigie_log_append_seconds_count",
                "vigie_snapshot_seconds_count{model=\"cards\"}", "vigie_http_requests_seconds_bucket", "jvm_memory_used_bytes",
                "vigie_input_drift_effect{channel=\"amount\",model=\"cards\"}", "vigie_input_drift_severity{channel=\"model.score\",model=\"cards\"}",
                "vigie_input_drift_alerts_total{model=\"cards\",severity=\"alert\"}", "vigie_uncertainty_entropy_mean{model=\"cards\"}",
                "vigie_abstention_share{model=\"cards\"}", "vigie_challenger_compared{challenger=\"bayes\",model=\"cards\"} 50.0",
                "vigie_challenger_accuracy{challenger=\"bayes\",model=\"cards\",side=\"champion\"}")) {
            assertTrue(text.contains(meter), meter + " in /metrics");
        }

        String amount = text.lines().filter(l -> l.startsWith("vigie_input_drift_effect{channel=\"amount\"")).findFirst().orElseThrow();
        double effect = Double.parseDouble(amount.substring(amount.lastIndexOf(' ') + 1));
        assertTrue(effect >= 0 && effect < 0.1, "the second window was compared with the first: " + amount);

        Path promtool = List.of("/usr/bin/promtool", "/usr/local/bin/promtool").stream().map(Path::of)
                .filter(Files::isExecutable).findFirst().orElse(null);
        Assumptions.assumeTrue(promtool != null, "promtool not installed (apt-get install prometheus); CI installs it");
        Path file = dataDir.resolve("metrics.txt");
        Files.writeString(file, text);
        Process check = new ProcessBuilder(promtool.toString(), "check", "metrics").redirectInput(file.toFile())
                .redirectErrorStream(true).start();
        String report = new String(check.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
        assertTrue(check.waitFor(60, TimeUnit.SECONDS), "promtool finished");
        assertEquals(0, check.exitValue(), "promtool check metrics:\n" + report);
    }

    private static String expect200(java.net.http.HttpResponse<String> response) {
        assertEquals(200, response.statusCode(), response.body());
        return response.body();
    }
}
