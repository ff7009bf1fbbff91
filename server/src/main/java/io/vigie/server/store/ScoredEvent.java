package io.vigie.server.store;

import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;

/**
 * An event as it was scored, kept until its label arrives (and after, for the audit trail):
 * its values, what the champion answered, what each challenger answered in its shadow, who
 * answered the caller, and the label once known.
 *
 * @param version    the model version that scored it
 * @param scoredAt   when it was scored (epoch millis)
 * @param values     its MOA attribute values, class slot included
 * @param answer     the champion's answer
 * @param label      the true class once known, else -1
 * @param labelledAt when the label was learned, else 0
 * @param shadows    each challenger's answer, in challenger order
 * @param answeredBy the challenger whose answer the caller got (a canary), or null for the champion
 * @param eventTime  when the event happened, as its sender said (else when it was scored)
 * @param implied    whether its label was implied (no label came within the model's implicit-label period)
 * @param keys       its entity keys, in the order the model declares them (null where not given)
 */
public record ScoredEvent(long version, long scoredAt, double[] values, Answer answer, int label, long labelledAt,
                          List<Shadow> shadows, String answeredBy, long eventTime, boolean implied, List<String> keys) {

    /** A challenger's answer to the same event. */
    public record Shadow(String challenger, Answer answer) {
    }

    public ScoredEvent {
        shadows = List.copyOf(shadows);
        keys = java.util.Collections.unmodifiableList(new ArrayList<>(keys)); // nulls allowed: a key not given
    }

    /** A fresh scoring, not yet labelled, of an event that happened when it was scored. */
    public ScoredEvent(long version, long scoredAt, double[] values, Answer answer, List<Shadow> shadows, String answeredBy) {
        this(version, scoredAt, values, answer, -1, 0, shadows, answeredBy, scoredAt, false, List.of());
    }

    public boolean labelled() {
        return label >= 0;
    }

    /** The same event, labelled. */
    public ScoredEvent withLabel(int trueClass, long at) {
        return new ScoredEvent(version, scoredAt, values, answer, trueClass, at, shadows, answeredBy, eventTime, false, keys);
    }

    /** The same event, labelled by its model's implicit label: no label came in time. */
    public ScoredEvent withImpliedLabel(int impliedClass, long at) {
        return new ScoredEvent(version, scoredAt, values, answer, impliedClass, at, shadows, answeredBy, eventTime, true, keys);
    }

    /** A challenger's shadow answer, or null if it did not score this event (it came later). */
    public Answer shadow(String challenger) {
        for (Shadow s : shadows) {
            if (s.challenger().equals(challenger)) {
                return s.answer();
            }
        }
        return null;
    }

    /**
     * The fields in a fixed order; then who answered and the shadows, then each answer's learned
     * count, then the event's time and whether its label was implied, then its keys, then each
     * answer's chance of being right. Records are read back by what they hold: older ones end
     * before who answered (they had no challenger), before the learned counts (they did not keep
     * them), before the time (it was when they were scored), before the keys (none) or before the
     * chances (not kept).
     */
    public byte[] encode() {
        List<byte[]> names = new ArrayList<>();
        int size = 8 * 2 + 4 + 8 * values.length + answer.encodedSize() + 4 + 8;
        size += 4 + 4 + utf8(answeredBy).length;
        for (Shadow s : shadows) {
            byte[] name = utf8(s.challenger());
            names.add(name);
            size += 4 + name.length + s.answer().encodedSize();
        }
        size += 8 * (1 + shadows.size()) + 8 + 1 + 4 + 8 * (1 + shadows.size());
        List<byte[]> keyBytes = new ArrayList<>(keys.size());
        for (String key : keys) {
            byte[] utf8 = key == null ? null : utf8(key);
            keyBytes.add(utf8);
            size += 4 + (utf8 == null ? 0 : utf8.length);
        }
        ByteBuffer b = ByteBuffer.allocate(size);
        b.putLong(version).putLong(scoredAt);
        b.putInt(values.length);
        for (double v : values) {
            b.putDouble(v);
        }
        answer.encode(b);
        b.putInt(label).putLong(labelledAt);
        byte[] by = utf8(answeredBy);
        b.putInt(by.length).put(by);
        b.putInt(shadows.size());
        for (int i = 0; i < shadows.size(); i++) {
            b.putInt(names.get(i).length).put(names.get(i));
            shadows.get(i).answer().encode(b);
        }
        b.putLong(answer.learnedBefore());
        for (Shadow s : shadows) {
            b.putLong(s.answer().learnedBefore());
        }
        b.putLong(eventTime).put((byte) (implied ? 1 : 0));
        b.putInt(keyBytes.size());
        for (byte[] key : keyBytes) {
            if (key == null) {
                b.putInt(-1);
            } else {
                b.putInt(key.length).put(key);
            }
        }
        b.putDouble(answer.chanceRight());
        for (Shadow s : shadows) {
            b.putDouble(s.answer().chanceRight());
        }
        return b.array();
    }

    public static ScoredEvent decode(byte[] bytes) {
        ByteBuffer b = ByteBuffer.wrap(bytes);
        long version = b.getLong();
        long scoredAt = b.getLong();
        double[] values = new double[b.getInt()];
        for (int i = 0; i < values.length; i++) {
            values[i] = b.getDouble();
        }
        Answer answer = Answer.decode(b);
        int label = b.getInt();
        long labelledAt = b.getLong();
        List<Shadow> shadows = new ArrayList<>();
        String answeredBy = null;
        if (b.hasRemaining()) {
            String by = string(b);
            answeredBy = by.isEmpty() ? null : by;
            int n = b.getInt();
            for (int i = 0; i < n; i++) {
                shadows.add(new Shadow(string(b), Answer.decode(b)));
            }
        }
        if (b.hasRemaining()) {
            answer = answer.withLearnedBefore(b.getLong());
            for (int i = 0; i < shadows.size(); i++) {
                shadows.set(i, new Shadow(shadows.get(i).challenger(), shadows.get(i).answer().withLearnedBefore(b.getLong())));
            }
        }
        long eventTime = scoredAt;
        boolean implied = false;
        if (b.hasRemaining()) {
            eventTime = b.getLong();
            implied = b.get() == 1;
        }
        List<String> keys = new ArrayList<>();
        if (b.hasRemaining()) {
            int n = b.getInt();
            for (int i = 0; i < n; i++) {
                keys.add(b.getInt(b.position()) < 0 ? skipNull(b) : string(b));
            }
        }
        if (b.hasRemaining()) {
            answer = answer.withChanceRight(b.getDouble());
            for (int i = 0; i < shadows.size(); i++) {
                shadows.set(i, new Shadow(shadows.get(i).challenger(), shadows.get(i).answer().withChanceRight(b.getDouble())));
            }
        }
        return new ScoredEvent(version, scoredAt, values, answer, label, labelledAt, shadows, answeredBy, eventTime, implied, keys);
    }

    /** A key not given: its length is -1. */
    private static String skipNull(ByteBuffer b) {
        b.getInt();
        return null;
    }

    private static byte[] utf8(String s) {
        return s == null ? new byte[0] : s.getBytes(StandardCharsets.UTF_8);
    }

    private static String string(ByteBuffer b) {
        byte[] utf8 = new byte[b.getInt()];
        b.get(utf8);
        return new String(utf8, StandardCharsets.UTF_8);
    }
}
