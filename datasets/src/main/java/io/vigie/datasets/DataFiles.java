package io.vigie.datasets;

import java.io.BufferedReader;
import java.io.FilterInputStream;
import java.io.IOException;
import java.io.InputStream;
import java.io.InputStreamReader;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.util.zip.GZIPInputStream;

/** Opens data files, plain or gzip-compressed, and tells how far into them a reader is. */
final class DataFiles {
    private static final int BUFFER = 1 << 16;

    private DataFiles() {
    }

    /** A reader over a file, gunzipped when its name ends in {@code .gz}. */
    static Opened open(Path file) {
        try {
            long size = Files.size(file);
            CountingInput counted = new CountingInput(Files.newInputStream(file));
            InputStream in = file.getFileName().toString().endsWith(".gz")
                    ? new GZIPInputStream(counted, BUFFER) : counted;
            return new Opened(new BufferedReader(new InputStreamReader(in, StandardCharsets.UTF_8), BUFFER), counted, size);
        } catch (NoSuchFileException e) {
            throw new DataException(file + ": no such file");
        } catch (IOException e) {
            throw new DataException(file + ": cannot be read (" + e.getMessage() + ")", e);
        }
    }

    /** An open file: its reader, and how many of its (compressed) bytes have been consumed. */
    record Opened(BufferedReader reader, CountingInput counted, long size) {
        double progress() {
            return size == 0 ? 1.0 : Math.min(1.0, (double) counted.count / size);
        }
    }

    /** Counts the bytes read from the underlying file, for progress. */
    static final class CountingInput extends FilterInputStream {
        long count;

        CountingInput(InputStream in) {
            super(in);
        }

        @Override
        public int read() throws IOException {
            int b = super.read();
            if (b >= 0) {
                count++;
            }
            return b;
        }

        @Override
        public int read(byte[] b, int off, int len) throws IOException {
            int n = super.read(b, off, len);
            if (n > 0) {
                count += n;
            }
            return n;
        }
    }
}
