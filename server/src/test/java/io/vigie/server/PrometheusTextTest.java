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
                "vigie_pending_labels{model=\"cards\"} 2000.0", "vigie_accuracy_ratio{model=\"cards\"}",
                "vigie_windowed_coverage_ratio{model=\"cards\"}", "vigie_coverage_target_ratio{model=\"cards\"} 0.9",
                "vigie_abstention_ratio{model=\"cards\"}", "vigie_drift_resets{model=\"cards\"}", "vigie_log_append_seconds_count",
                "vigie_label_delay_seconds_count{model=\"cards\"} 50", "vigie_label_delay_seconds_bucket{model=\"cards\",le=\"60.0\"} 50",
                "vigie_model_queue_depth{model=\"cards\"} 0.0", "vigie_model_queue_capacity{model=\"cards\"} 10000.0",
                "vigie_data_dir_free_bytes ", "vigie_data_dir_reserve_bytes 6.7108864E7",
                "vigie_build_info{java=\"", "vigie_http_connections_refused_total 0.0",
                "vigie_snapshot_seconds_count{model=\"cards\"}", "vigie_http_requests_seconds_bucket", "jvm_memory_used_bytes",
                "vigie_input_drift_effect{channel=\"amount\",model=\"cards\"}", "vigie_input_drift_severity{channel=\"model.score\",model=\"cards\"}",
                "vigie_input_drift_alerts_total{model=\"cards\",severity=\"alert\"}", "vigie_recent_entropy_mean{model=\"cards\"}",
                "vigie_recent_abstention_ratio{model=\"cards\"}", "vigie_challenger_compared{challenger=\"bayes\",model=\"cards\"} 50.0",
                "vigie_challenger_accuracy_ratio{challenger=\"bayes\",model=\"cards\",side=\"champion\"}")) {
            assertTrue(text.contains(meter), meter + " in /metrics");
        }

        for (String measured : List.of("vigie_data_dir_size_bytes", "vigie_data_dir_free_bytes", "vigie_model_queue_depth")) {
            String line = text.lines().filter(l -> l.startsWith(measured)).findFirst().orElseThrow(() -> new AssertionError(measured));
            double value = Double.parseDouble(line.substring(line.lastIndexOf(' ') + 1));
            assertTrue(value >= 0 && !Double.isNaN(value), "a measured value, kept alive while the service runs: " + line);
        }
        assertTrue(Double.parseDouble(text.lines().filter(l -> l.startsWith("vigie_data_dir_size_bytes")).findFirst().orElseThrow()
                .split(" ")[1]) > 1000, "the data dir holds the model's log and versions");
        long predictBuckets = text.lines().filter(l -> l.startsWith("vigie_http_requests_seconds_bucket{")
                && l.contains("route=\"/v1/models/:name/predict\"") && l.contains("status=\"200\"")).count();
        assertEquals(10, predictBuckets, "nine buckets at the service's latencies, and +Inf");
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
