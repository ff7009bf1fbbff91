package io.vigie.server;

import org.junit.jupiter.api.Assumptions;

import java.nio.file.Files;
import java.nio.file.Path;

/** The shared real datasets the tests stream through the service. */
final class TestData {
    private TestData() {
    }

    /** Elec2's ARFF file ({@code -Dvigie.datasets=DIR}, else {@code ../../shared/datasets}); skips the test if it is missing. */
    static Path elec2() {
        Path elec2 = Path.of(System.getProperty("vigie.datasets", "../../shared/datasets")).resolve("elec2.arff.gz");
        Assumptions.assumeTrue(Files.isRegularFile(elec2), elec2 + " not found (set -Dvigie.datasets); skipping a real-data test");
        return elec2;
    }
}
