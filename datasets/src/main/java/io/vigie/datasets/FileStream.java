package io.vigie.datasets;

import io.vigie.learner.EventStream;
import io.vigie.learner.LabelledEvent;
import io.vigie.learner.Schema;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Path;

/**
 * A labelled stream read from a file, one event ahead: subclasses parse the format and return
 * each event from {@link #read()}, or null at the end; this class handles look-ahead, progress
 * and closing.
 */
abstract class FileStream implements EventStream {
    protected final Path file;
    protected final DataFiles.Opened opened;
    /** Lines read so far, for line-oriented formats: the number of the last line read. */
    protected long line;
    private LabelledEvent next;
    private boolean started;

    FileStream(Path file) {
        this.file = file;
        this.opened = DataFiles.open(file);
    }

    /** The next event of the file, or null at its end. */
    protected abstract LabelledEvent read();

    /** The next line of a line-oriented file, or null at its end; counts {@link #line}. */
    protected String nextLine() {
        try {
            String text = opened.reader().readLine();
            if (text != null) {
                line++;
            }
            return text;
        } catch (IOException e) {
            throw new DataException(file + " line " + (line + 1) + ": cannot be read (" + e.getMessage() + ")", e);
        }
    }

    /** The comma-separated fields of the current line, which must number {@code expected}. */
    protected String[] fields(String text, int expected) {
        return split(file, line, text, expected);
    }

    /** The comma-separated fields of line {@code line} of a file, which must number {@code expected}. */
    static String[] split(Path file, long line, String text, int expected) {
        String[] fields = text.split(",", -1);
        if (fields.length != expected) {
            throw new DataException(file + " line " + line + ": " + fields.length + " fields, the header has " + expected);
        }
        return fields;
    }

    @Override
    public abstract Schema schema();

    @Override
    public boolean hasNext() {
        if (!started) {
            started = true;
            next = read();
        }
        if (next == null) {
            close();
        }
        return next != null;
    }

    @Override
    public LabelledEvent next() {
        if (!hasNext()) {
            throw new java.util.NoSuchElementException(file + ": no more events");
        }
        LabelledEvent current = next;
        next = read();
        return current;
    }

    @Override
    public String name() {
        return file.getFileName().toString();
    }

    @Override
    public double progress() {
        return opened.progress();
    }

    @Override
    public void close() {
        try {
            opened.reader().close();
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }
}
