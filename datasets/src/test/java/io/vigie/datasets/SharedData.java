package io.vigie.datasets;

import org.junit.jupiter.api.Assumptions;

import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.zip.GZIPInputStream;

/** The read-only shared datasets; tests that need them skip, saying why, when the folder is absent. */
public final class SharedData {
    private SharedData() {
    }

    /** The path of a shared dataset file; skips the calling test if the datasets folder is missing. */
    public static Path file(String name) {
        Path dir = Path.of(System.getProperty("vigie.datasets", "../../shared/datasets"));
        Assumptions.assumeTrue(Files.isDirectory(dir), "shared datasets folder not found at " + dir.toAbsolutePath()
                + " (set -Dvigie.datasets=DIR); skipping a test that reads real data");
        Path file = dir.resolve(name);
        Assumptions.assumeTrue(Files.isRegularFile(file), "shared dataset " + file + " not found; skipping");
        return file;
    }

    /** Decompresses a shared .gz file into a directory (for MOA's own readers, which open plain files). */
    public static Path gunzip(String name, Path dir) {
        Path source = file(name);
        Path target = dir.resolve(name.substring(0, name.length() - 3));
        try (InputStream in = new GZIPInputStream(Files.newInputStream(source))) {
            Files.copy(in, target);
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
        return target;
    }
}
