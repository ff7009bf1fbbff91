package io.vigie.server.store;

import java.io.ByteArrayOutputStream;
import java.io.DataInputStream;
import java.io.DataOutputStream;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;

/**
 * One entry of a model's log: everything that changes the model, in the order it changed it.
 * Records are self-contained, so replaying them needs nothing but a snapshot to start from: a
 * label joined to its scored event carries the event's values and what was predicted for it.
 */
public sealed interface LogRecord {

    /**
     * Where a record came from when it came from a stream (a Kafka topic partition and offset),
     * so that recovery knows what the log already holds and a redelivered record is not learned
     * twice. Records posted over HTTP have none.
     */
    record Source(String topic, int partition, long offset) {
        /** The partition's name in position maps: {@code topic/partition}. */
        public String partitionKey() {
            return topic + "/" + partition;
        }
    }

    /**
     * A label joined to the event it labels: the model learns the event as it was scored. When
     * the event's label had been implied and this one differs, it is a correction.
     *
     * @param id         the event id
     * @param label      the true class index
     * @param timeMillis when the label was accepted
     * @param event      the event as it was scored (and labelled, if its label was implied): its values and what the model answered
     * @param source     the stream position it came from, or null
     * @param time       when the label was known, as its sender said (else {@code timeMillis})
     */
    record Label(String id, int label, long timeMillis, ScoredEvent event, Source source, long time) implements LogRecord {
        public Label(String id, int label, long timeMillis, ScoredEvent event, Source source) {
            this(id, label, timeMillis, event, source, timeMillis);
        }

        /** Whether it corrects a label that was implied. */
        public boolean corrects() {
            return event.implied() && event.label() != label;
        }
    }

    /**
     * An event that arrives with its label, never scored before: it is scored, then learned.
     *
     * @param time when it happened, as its sender said (else {@code timeMillis}, when it was accepted)
     */
    record LabelledEvent(String id, double[] values, int label, long timeMillis, Source source, long time) implements LogRecord {
        public LabelledEvent(String id, double[] values, int label, long timeMillis, Source source) {
            this(id, values, label, timeMillis, source, timeMillis);
        }
    }

    /**
     * No label came for a scored event within its model's implicit-label period: it is learned as
     * the class the model declared (a genuine transaction is genuine because no chargeback came).
     *
     * @param time the end of the period: the event's time plus the period
     */
    record ImpliedLabel(String id, int label, long time, ScoredEvent event) implements LogRecord {
    }

    /** The model is replaced by the snapshot of an earlier version. */
    record Rollback(long version, long timeMillis) implements LogRecord {
    }

    /**
     * A challenger starts: from here on it scores what the champion scores and learns what the
     * champion learns. Logged, so that replay builds it at the same point and it learns the same.
     *
     * @param mode          {@code shadow} or {@code canary}
     * @param share         the share of requests a canary answers (0 for a shadow)
     * @param promoteAfter  automatic promotion: the events compared it needs first (0: never automatic)
     * @param promoteBelow  automatic promotion: the McNemar p-value it must win by
     */
    record ChallengerAdded(String name, String model, int seed, String mode, double share, long promoteAfter, double promoteBelow,
                           long timeMillis) implements LogRecord {
    }

    /** A challenger is dropped. */
    record ChallengerRemoved(String name, long timeMillis) implements LogRecord {
    }

    /** A challenger becomes the champion; the former champion is the version before this record. */
    record Promotion(String challenger, long timeMillis) implements LogRecord {
    }

    /**
     * A record that could not be read when the log was repaired ({@link LogRepair}): it stands in
     * its place, so that every version after it keeps its number; applying it changes nothing.
     *
     * @param damagedAt the byte offset of the damage in the log before the repair
     * @param id        the event id the damaged record seemed to hold, or "" if none could be read
     */
    record Lost(long damagedAt, String id, long timeMillis) implements LogRecord {
    }

    byte LABEL = 1;
    byte LABELLED_EVENT = 2;
    byte ROLLBACK = 3;
    byte CHALLENGER_ADDED = 4;
    byte CHALLENGER_REMOVED = 5;
    byte PROMOTION = 6;
    byte LOST = 7;
    /** A label or labelled event whose time its sender gave: written only then, so other records keep their bytes. */
    byte LABEL_AT = 8;
    byte LABELLED_EVENT_AT = 9;
    byte IMPLIED_LABEL = 10;

    /** Reads back {@link #encode}'s bytes on their own, outside the log's frames (as a cluster's replicated log carries them). */
    static LogRecord fromBytes(byte[] bytes) throws IOException {
        try (DataInputStream in = new DataInputStream(new java.io.ByteArrayInputStream(bytes))) {
            return decode(in);
        }
    }

    /** The record's bytes: a type byte, then its fields. */
    static byte[] encode(LogRecord record) {
        ByteArrayOutputStream bytes = new ByteArrayOutputStream(128);
        try (DataOutputStream out = new DataOutputStream(bytes)) {
            if (record instanceof Label l) {
                out.writeByte(l.time() == l.timeMillis() ? LABEL : LABEL_AT);
                writeString(out, l.id());
                out.writeInt(l.label());
                out.writeLong(l.timeMillis());
                if (l.time() != l.timeMillis()) {
                    out.writeLong(l.time());
                }
                byte[] event = l.event().encode();
                out.writeInt(event.length);
                out.write(event);
                writeSource(out, l.source());
            } else if (record instanceof LabelledEvent e) {
                out.writeByte(e.time() == e.timeMillis() ? LABELLED_EVENT : LABELLED_EVENT_AT);
                writeString(out, e.id());
                writeDoubles(out, e.values());
                out.writeInt(e.label());
                out.writeLong(e.timeMillis());
                if (e.time() != e.timeMillis()) {
                    out.writeLong(e.time());
                }
                writeSource(out, e.source());
            } else if (record instanceof ImpliedLabel i) {
                out.writeByte(IMPLIED_LABEL);
                writeString(out, i.id());
                out.writeInt(i.label());
                out.writeLong(i.time());
                byte[] event = i.event().encode();
                out.writeInt(event.length);
                out.write(event);
            } else if (record instanceof Rollback r) {
                out.writeByte(ROLLBACK);
                out.writeLong(r.version());
                out.writeLong(r.timeMillis());
            } else if (record instanceof ChallengerAdded c) {
                out.writeByte(CHALLENGER_ADDED);
                writeString(out, c.name());
                writeString(out, c.model());
                out.writeInt(c.seed());
                writeString(out, c.mode());
                out.writeDouble(c.share());
                out.writeLong(c.promoteAfter());
                out.writeDouble(c.promoteBelow());
                out.writeLong(c.timeMillis());
            } else if (record instanceof ChallengerRemoved c) {
                out.writeByte(CHALLENGER_REMOVED);
                writeString(out, c.name());
                out.writeLong(c.timeMillis());
            } else if (record instanceof Promotion p) {
                out.writeByte(PROMOTION);
                writeString(out, p.challenger());
                out.writeLong(p.timeMillis());
            } else if (record instanceof Lost l) {
                out.writeByte(LOST);
                out.writeLong(l.damagedAt());
                writeString(out, l.id());
                out.writeLong(l.timeMillis());
            }
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
        return bytes.toByteArray();
    }

    /** Reads back what {@link #encode} wrote; an unknown type is an {@link IOException}. */
    static LogRecord decode(DataInputStream in) throws IOException {
        byte type = in.readByte();
        return switch (type) {
            case LABEL -> new Label(readString(in), in.readInt(), in.readLong(),
                    ScoredEvent.decode(in.readNBytes(length(in))), readSource(in));
            case LABEL_AT -> {
                String id = readString(in);
                int label = in.readInt();
                long accepted = in.readLong();
                long time = in.readLong();
                yield new Label(id, label, accepted, ScoredEvent.decode(in.readNBytes(length(in))), readSource(in), time);
            }
            case LABELLED_EVENT -> new LabelledEvent(readString(in), readDoubles(in), in.readInt(), in.readLong(), readSource(in));
            case LABELLED_EVENT_AT -> {
                String id = readString(in);
                double[] values = readDoubles(in);
                int label = in.readInt();
                long accepted = in.readLong();
                long time = in.readLong();
                yield new LabelledEvent(id, values, label, accepted, readSource(in), time);
            }
            case IMPLIED_LABEL -> new ImpliedLabel(readString(in), in.readInt(), in.readLong(), ScoredEvent.decode(in.readNBytes(length(in))));
            case ROLLBACK -> new Rollback(in.readLong(), in.readLong());
            case CHALLENGER_ADDED -> new ChallengerAdded(readString(in), readString(in), in.readInt(), readString(in), in.readDouble(),
                    in.readLong(), in.readDouble(), in.readLong());
            case CHALLENGER_REMOVED -> new ChallengerRemoved(readString(in), in.readLong());
            case PROMOTION -> new Promotion(readString(in), in.readLong());
            case LOST -> new Lost(in.readLong(), readString(in), in.readLong());
            default -> throw new IOException("unknown log record type " + type);
        };
    }

    /** The source goes last and only when there is one, so records logged before sources existed still read. */
    private static void writeSource(DataOutputStream out, Source source) throws IOException {
        if (source != null) {
            writeString(out, source.topic());
            out.writeInt(source.partition());
            out.writeLong(source.offset());
        }
    }

    private static Source readSource(DataInputStream in) throws IOException {
        return in.available() == 0 ? null : new Source(readString(in), in.readInt(), in.readLong());
    }

    private static void writeString(DataOutputStream out, String s) throws IOException {
        byte[] utf8 = s.getBytes(StandardCharsets.UTF_8);
        out.writeInt(utf8.length);
        out.write(utf8);
    }

    private static void writeDoubles(DataOutputStream out, double[] values) throws IOException {
        out.writeInt(values.length);
        for (double v : values) {
            out.writeDouble(v);
        }
    }

    private static String readString(DataInputStream in) throws IOException {
        return new String(in.readNBytes(length(in)), StandardCharsets.UTF_8);
    }

    private static double[] readDoubles(DataInputStream in) throws IOException {
        double[] values = new double[length(in)];
        for (int i = 0; i < values.length; i++) {
            values[i] = in.readDouble();
        }
        return values;
    }

    /** A length read from the record, checked against what is left of it (a CRC collision must not allocate 2 GB). */
    private static int length(DataInputStream in) throws IOException {
        int n = in.readInt();
        if (n < 0 || n > in.available()) {
            throw new IOException("bad length " + n);
        }
        return n;
    }
}
