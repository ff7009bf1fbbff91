package io.vigie.learner;

/**
 * A finite or endless sequence of labelled events in time order, all of one schema. Sources
 * (files, generators, a log) implement it; evaluation consumes it.
 */
public interface EventStream extends AutoCloseable {

    /** The schema every event of this stream follows. */
    Schema schema();

    boolean hasNext();

    /** The next event; only valid after {@link #hasNext()} returned true. */
    LabelledEvent next();

    /** A short name for reports, such as the file name or generator spec. */
    String name();

    /** Fraction of the stream read so far in [0, 1], or -1 if unknown (endless streams). */
    default double progress() {
        return -1;
    }

    @Override
    default void close() {
    }
}
