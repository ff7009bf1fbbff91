package io.vigie.server;

import org.junit.jupiter.api.Assumptions;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.concurrent.TimeUnit;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * The Python client ({@code clients/python}) against a live service: its own unittest suite
 * checks that its operations are the document's, then creates a model, predicts single and
 * batch, labels later and reads the model. Skipped with a message only where no Python 3 exists.
 */
class PythonClientTest {
    private static final Path CLIENT = Path.of("..", "clients", "python").toAbsolutePath().normalize();

    @TempDir
    Path dataDir;

    @Test
    void thePythonClientsOwnTestsPassAgainstALiveService() throws Exception {
        Assumptions.assumeTrue(python3(), "no python3 on this machine: the Python client's test is skipped");
        assertTrue(Files.isRegularFile(CLIENT.resolve("vigie.py")), CLIENT + " holds the client");
        try (TestService service = new TestService(dataDir)) {
            ProcessBuilder builder = new ProcessBuilder("python3", "-m", "unittest", "-v", "test_vigie")
                    .directory(CLIENT.toFile()).redirectErrorStream(true);
            builder.environment().put("VIGIE_URL", "http://127.0.0.1:" + service.port());
            builder.environment().put("VIGIE_KEY", TestService.ADMIN);
            builder.environment().put("PYTHONDONTWRITEBYTECODE", "1"); // no __pycache__ left in the source tree
            Process python = builder.start();
            String output = new String(python.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
            assertTrue(python.waitFor(120, TimeUnit.SECONDS), output);
            assertEquals(0, python.exitValue(), output);
            assertTrue(output.contains("Ran 2 tests"), output);
        }
    }

    private static boolean python3() {
        try {
            Process probe = new ProcessBuilder("python3", "--version").redirectErrorStream(true).start();
            probe.getInputStream().readAllBytes();
            return probe.waitFor(10, TimeUnit.SECONDS) && probe.exitValue() == 0;
        } catch (java.io.IOException | InterruptedException e) {
            return false;
        }
    }
}
