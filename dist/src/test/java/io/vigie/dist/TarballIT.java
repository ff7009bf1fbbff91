package io.vigie.dist;

import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.io.BufferedReader;
import java.io.IOException;
import java.io.InputStreamReader;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import java.util.stream.Stream;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * The tarball as an operator gets it: unpacked in a fresh folder on a machine that has only a
 * JRE (JAVA_HOME; a PATH with nothing but bash, dirname and cat, so no Maven and no build; HOME an empty
 * folder, so no local Maven repository), its {@code bin/vigie} answers {@code version} and
 * {@code --help} without writing anything, and serves with the example config: a model is
 * created, scores an event and learns its label, and SIGTERM stops it cleanly.
 */
class TarballIT {
    private static final String ADMIN = "tarball-admin-key-0123456789abcdef";

    @TempDir
    static Path work;
    private static Path vigie;
    private static Map<String, String> environment;

    @BeforeAll
    static void unpack() throws Exception {
        Path tarball = Path.of(System.getProperty("vigie.tarball"));
        assertTrue(Files.isRegularFile(tarball), tarball + " was built by the package phase");
        Path unpacked = Files.createDirectories(work.resolve("opt"));
        Process tar = new ProcessBuilder("tar", "-xzf", tarball.toString(), "-C", unpacked.toString()).inheritIO().start();
        assertEquals(0, tar.waitFor());
        vigie = unpacked.resolve("vigie-" + System.getProperty("vigie.version")).resolve("bin/vigie");
        assertTrue(Files.isExecutable(vigie), vigie + " is executable");

        Path bin = Files.createDirectories(work.resolve("path"));
        for (String tool : List.of("bash", "dirname", "cat")) {
            Files.createSymbolicLink(bin.resolve(tool), which(tool));
        }
        Path home = Files.createDirectories(work.resolve("home"));
        environment = Map.of("PATH", bin.toString(), "HOME", home.toString(), "JAVA_HOME", System.getProperty("java.home"),
                "VIGIE_ADMIN_KEY", ADMIN);
    }

    @Test
    void versionHelpAndEvalAnswerWithoutBuildingOrWritingAnything() throws Exception {
        List<Path> before = files(work);
        Result version = run("version");
        assertEquals(0, version.status(), version.output());
        assertTrue(version.output().startsWith("vigie " + System.getProperty("vigie.version") + "\njava "), version.output());

        Result help = run("--help");
        assertEquals(0, help.status(), help.output());
        for (String command : List.of("serve", "eval", "replay", "repair", "version")) {
            assertTrue(help.output().contains("\n  " + command + " "), command + " in " + help.output());
        }
        Result serveHelp = run("serve", "--help");
        assertEquals(0, serveHelp.status(), serveHelp.output());
        assertTrue(serveHelp.output().startsWith("usage: vigie serve"), serveHelp.output());
        for (String tool : List.of("eval", "replay")) {
            Result toolHelp = run(tool, "--help");
            assertEquals(0, toolHelp.status(), toolHelp.output());
            assertTrue(toolHelp.output().contains("--data"), toolHelp.output());
        }
        Result eval = run("eval", "--data", "generator:generators.AgrawalGenerator -f 1", "--limit", "2000", "--model", "ht", "--json");
        assertEquals(0, eval.status(), eval.output());
        assertTrue(eval.output().contains("\"accuracy\""), "a prequential evaluation ran: " + eval.output());
        Result unknown = run("frobnicate");
        assertEquals(2, unknown.status(), unknown.output());
        assertEquals(before, files(work), "no command wrote a file");
    }

    @Test
    void servesWithTheExampleConfigAndStopsCleanlyOnSigterm() throws Exception {
        Path config = vigie.getParent().getParent().resolve("config/vigie.json");
        Path data = work.resolve("data");
        Process service = process(vigie.toString(), "serve", "--config", config.toString(), "--host", "127.0.0.1",
                "--port", "0", "--data-dir", data.toString());
        try (BufferedReader out = new BufferedReader(new InputStreamReader(service.getInputStream(), StandardCharsets.UTF_8))) {
            String url = CompletableFuture.supplyAsync(() -> readyUrl(out)).get(90, TimeUnit.SECONDS);
            CompletableFuture.runAsync(() -> out.lines().forEach(line -> { })); // keep the pipe drained

            HttpClient http = HttpClient.newHttpClient();
            String model = "{\"name\":\"cards\",\"model\":\"nb\",\"schema\":{\"features\":[{\"name\":\"amount\"}],"
                    + "\"classes\":[\"ok\",\"fraud\"]}}";
            assertEquals(201, send(http, url + "/v1/models", model).statusCode());
            HttpResponse<String> scored = send(http, url + "/v1/models/cards/predict", "{\"id\":\"t1\",\"features\":{\"amount\":12.5}}");
            assertEquals(200, scored.statusCode(), scored.body());
            assertTrue(scored.body().contains("\"id\":\"t1\""), scored.body());
            assertEquals(202, send(http, url + "/v1/models/cards/labels", "{\"id\":\"t1\",\"label\":\"ok\"}").statusCode());
            HttpResponse<String> state = http.send(HttpRequest.newBuilder(URI.create(url + "/v1/models/cards"))
                    .header("Authorization", "Bearer " + ADMIN).build(), HttpResponse.BodyHandlers.ofString());
            assertTrue(state.body().contains("\"learned\":1"), state.body());
            Result replay = run("replay", "--url", url, "--key", ADMIN, "--data", "generator:generators.AgrawalGenerator -f 1",
                    "--limit", "500", "--name", "agrawal", "--model", "ht", "--delay", "100");
            assertEquals(0, replay.status(), replay.output());
            assertTrue(replay.output().contains("Replayed 500 events"), replay.output());

            service.destroy(); // SIGTERM: in-flight requests finish, every model drains and snapshots
            assertTrue(service.waitFor(60, TimeUnit.SECONDS), "stopped within 60 s");
            assertEquals(143, service.exitValue(), "ended by SIGTERM after its shutdown hook");
        } finally {
            service.destroyForcibly();
        }
        assertTrue(Files.isRegularFile(data.resolve("models/cards/versions/00000000000000000001.snapshot")),
                "the stop snapshotted the model at the version its label made");
        try (Stream<Path> home = Files.list(work.resolve("home"))) {
            assertEquals(0, home.count(), "HOME untouched");
        }
    }

    private static String readyUrl(BufferedReader out) {
        try {
            StringBuilder seen = new StringBuilder();
            for (String line = out.readLine(); line != null; line = out.readLine()) {
                int at = line.indexOf("Vigie ready on ");
                if (at >= 0) {
                    return line.substring(at + "Vigie ready on ".length()).trim();
                }
                seen.append(line).append('\n');
            }
            throw new AssertionError("the service ended before it was ready:\n" + seen);
        } catch (IOException e) {
            throw new java.io.UncheckedIOException(e);
        }
    }

    private static HttpResponse<String> send(HttpClient http, String url, String json) throws Exception {
        return http.send(HttpRequest.newBuilder(URI.create(url)).header("Authorization", "Bearer " + ADMIN)
                .header("Content-Type", "application/json").POST(HttpRequest.BodyPublishers.ofString(json)).build(),
                HttpResponse.BodyHandlers.ofString());
    }

    private record Result(int status, String output) {
    }

    private static Result run(String... args) throws Exception {
        List<String> command = new ArrayList<>(List.of(vigie.toString()));
        command.addAll(List.of(args));
        Process process = process(command.toArray(String[]::new));
        String output = new String(process.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
        assertTrue(process.waitFor(60, TimeUnit.SECONDS));
        return new Result(process.exitValue(), output);
    }

    private static Process process(String... command) throws IOException {
        ProcessBuilder builder = new ProcessBuilder(command).redirectErrorStream(true).directory(work.toFile());
        builder.environment().clear();
        builder.environment().putAll(environment);
        return builder.start();
    }

    private static Path which(String tool) {
        for (String dir : System.getenv("PATH").split(":")) {
            Path candidate = Path.of(dir, tool);
            if (Files.isExecutable(candidate)) {
                return candidate;
            }
        }
        throw new AssertionError(tool + " is not on PATH");
    }

    private static List<Path> files(Path root) throws IOException {
        try (Stream<Path> all = Files.walk(root)) {
            return all.filter(p -> !p.startsWith(root.resolve("data"))).sorted().toList();
        }
    }
}
