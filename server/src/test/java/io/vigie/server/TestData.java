package io.vigie.server;

import org.junit.jupiter.api.Assumptions;

import java.nio.file.Files;
import java.nio.file.Path;

/** The shared real datasets the tests stream through the service. */
public final class TestData {
    private TestData() {
    }

    /** Elec2's ARFF file ({@code -Dvigie.datasets=DIR}, else {@code ../../shared/datasets}); skips the test if it is missing. */
    public static Path elec2() {
        return shared("elec2.arff.gz");
    }

    /** The Fraud-Detection Handbook's transactions, likewise. */
    public static Path fraudHandbook() {
        return shared("fraud_handbook.csv.gz");
    }

    private static Path shared(String file) {
        Path path = Path.of(System.getProperty("vigie.datasets", "../../shared/datasets")).resolve(file);
        Assumptions.assumeTrue(Files.isRegularFile(path), path + " not found (set -Dvigie.datasets); skipping a real-data test");
        return path;
    }
}
