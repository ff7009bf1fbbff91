package io.vigie.server.model;

/** What became of one label or labelled event. */
public enum Outcome {
    /** Logged and learned. */
    LEARNED,
    /** A label for an id never scored, or scored so long ago that the store dropped it. */
    UNKNOWN_ID,
    /** A label for an event already labelled (or labelled earlier in the same batch). */
    DUPLICATE,
    /** A label that came after the model's label TTL. */
    LATE,
    /** The log refused the write (disk full, I/O error): nothing was learned, the sender retries. */
    NOT_LOGGED,
    /** A stream record redelivered after a restart that the log already holds. */
    ALREADY_LOGGED,
    /** A label of the class its event's label was implied as: it confirms it, nothing more is learned. */
    CONFIRMED
}
