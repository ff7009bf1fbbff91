package io.vigie.server;

import io.vertx.core.json.JsonObject;
import org.junit.jupiter.api.Assumptions;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Random;
import java.util.Set;
import java.util.TreeSet;
import java.util.concurrent.TimeUnit;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

import static io.vigie.server.TestService.expect;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * What ships under {@code ops/}: the alert rules pass promtool's check and their own unit tests
 * ({@code promtool test rules}; skipped with a message where promtool is not installed, CI
 * installs it), and every metric the rules and the Grafana dashboard name is one the service
 * really exposes (Kafka's lag gauge is checked in KafkaIngestTest, where a broker runs; a failed
 * model's gauge in DamageTest).
 */
class OpsRulesTest {
    private static final Path OPS = Path.of("..", "ops").toAbsolutePath().normalize();
    private static final Pattern METRIC = Pattern.compile("\\b(vigie_[a-z_]+)");

    @TempDir
    Path dataDir;

    @Test
    void alertRulesPassTheirUnitTests() throws Exception {
        Path promtool = List.of("/usr/bin/promtool", "/usr/local/bin/promtool").stream().map(Path::of)
                .filter(Files::isExecutable).findFirst().orElse(null);
        Assumptions.assumeTrue(promtool != null, "promtool not installed (apt-get install prometheus); CI installs it");
        Path rules = OPS.resolve("prometheus");
        for (List<String> command : List.of(List.of("check", "rules", "vigie-alerts.yml"), List.of("test", "rules", "vigie-alerts.test.yml"))) {
            List<String> full = new java.util.ArrayList<>(List.of(promtool.toString()));
            full.addAll(command);
            Process run = new ProcessBuilder(full).directory(rules.toFile()).redirectErrorStream(true).start();
            String report = new String(run.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
            assertTrue(run.waitFor(60, TimeUnit.SECONDS), "promtool finished");
            assertEquals(0, run.exitValue(), "promtool " + String.join(" ", command) + ":\n" + report);
        }
    }

    @Test
    void everyMetricTheRulesAndDashboardNameIsExposed() throws Exception {
        Set<String> named = new TreeSet<>();
        for (Path file : List.of(OPS.resolve("prometheus/vigie-alerts.yml"), OPS.resolve("grafana/vigie-dashboard.json"))) {
            Matcher m = METRIC.matcher(Files.readString(file));
            while (m.find()) {
                named.add(m.group(1).replaceAll("_(bucket|count|sum)$", ""));
            }
        }
        new JsonObject(Files.readString(OPS.resolve("grafana/vigie-dashboard.json"))); // the dashboard is JSON
        named.removeIf(name -> name.startsWith("vigie_kafka_")); // needs a broker: KafkaIngestTest
        named.remove("vigie_model_failed"); // only for a model that could not be opened: DamageTest
        assertTrue(named.size() >= 15, "the rules and dashboard name the service's metrics: " + named);

        Set<String> exposed = new TreeSet<>();
        try (TestService service = new TestService(dataDir)) {
            expect(201, service.post("/v1/models", ServiceApiTest.modelRequest("cards", "hat")));
            Random random = new Random(2);
            for (int i = 0; i < 20; i++) {
                JsonObject f = ServiceApiTest.features(random);
                expect(200, service.post("/v1/models/cards/predict", new JsonObject().put("id", "t" + i).put("features", f)));
                expect(202, service.post("/v1/models/cards/labels", new JsonObject().put("id", "t" + i).put("label", ServiceApiTest.truth(f))));
            }
            String text = service.send("GET", "/metrics", null, null).body();
            text.lines().filter(l -> !l.startsWith("#") && !l.isBlank()).forEach(l -> exposed.add(
                    l.split("[{ ]", 2)[0].replaceAll("_(bucket|count|sum)$", "")));
        }
        named.removeAll(exposed);
        assertEquals(Set.of(), named, "metrics the rules or dashboard name that /metrics does not hold");
    }
}
