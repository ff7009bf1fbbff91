package io.vigie.datasets;

import java.io.FilterReader;
import java.io.IOException;
import java.io.Reader;

/**
 * A reader that remembers the first I/O error thrown through it. MOA's ARFF loader catches read
 * errors, logs them and reports a clean end of data, so a truncated archive would silently look
 * like a shorter stream; with this wrapper the stream can tell the two apart.
 */
final class FailureRecordingReader extends FilterReader {
    private IOException failure;

    FailureRecordingReader(Reader in) {
        super(in);
    }

    /** The first error a read met, or null. */
    IOException failure() {
        return failure;
    }

    @Override
    public int read() throws IOException {
        try {
            return super.read();
        } catch (IOException e) {
            throw record(e);
        }
    }

    @Override
    public int read(char[] buffer, int offset, int length) throws IOException {
        try {
            return super.read(buffer, offset, length);
        } catch (IOException e) {
            throw record(e);
        }
    }

    private IOException record(IOException e) {
        if (failure == null) {
            failure = e;
        }
        return e;
    }
}
