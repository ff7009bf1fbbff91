package io.vigie.server.store;

import java.nio.ByteBuffer;

/**
 * An event as it was scored, kept until its label arrives (and after, for the audit trail):
 * its values, what the model answered, and the label once known.
 *
 * @param version       the model version that scored it
 * @param scoredAt      when it was scored (epoch millis)
 * @param values        its MOA attribute values, class slot included
 * @param predicted     the class predicted (the best guess, also when abstaining)
 * @param probabilities the class distribution given
 * @param predictionSet the conformal set given
 * @param memberLabels  what an ensemble remembered of the scoring
 * @param reason        why the model abstained (a {@code Prediction.Reason} ordinal), or -1
 * @param entropy       normalised entropy of the distribution
 * @param margin        margin between the two most likely classes
 * @param disagreement  member disagreement, 0 for single learners
 * @param label         the true class once known, else -1
 * @param labelledAt    when the label was learned, else 0
 */
public record ScoredEvent(long version, long scoredAt, double[] values, int predicted, double[] probabilities, int[] predictionSet,
                          int[] memberLabels, int reason, double entropy, double margin, double disagreement,
                          int label, long labelledAt) {

    public boolean labelled() {
        return label >= 0;
    }

    /** The same event, labelled. */
    public ScoredEvent withLabel(int trueClass, long at) {
        return new ScoredEvent(version, scoredAt, values, predicted, probabilities, predictionSet, memberLabels, reason, entropy,
                margin, disagreement, trueClass, at);
    }

    /** Whether this is the same scoring as another (an id scored again is a new event). */
    public boolean sameScoring(ScoredEvent other) {
        return other != null && version == other.version && scoredAt == other.scoredAt;
    }

    byte[] encode() {
        int size = 8 * 2 + 4 * 5 + 8 * (values.length + probabilities.length) + 4 * (predictionSet.length + memberLabels.length)
                + 4 + 8 * 3 + 4 + 8;
        ByteBuffer b = ByteBuffer.allocate(size);
        b.putLong(version).putLong(scoredAt);
        b.putInt(values.length);
        for (double v : values) {
            b.putDouble(v);
        }
        b.putInt(predicted);
        b.putInt(probabilities.length);
        for (double p : probabilities) {
            b.putDouble(p);
        }
        b.putInt(predictionSet.length);
        for (int c : predictionSet) {
            b.putInt(c);
        }
        b.putInt(memberLabels.length);
        for (int c : memberLabels) {
            b.putInt(c);
        }
        b.putInt(reason).putDouble(entropy).putDouble(margin).putDouble(disagreement).putInt(label).putLong(labelledAt);
        return b.array();
    }

    static ScoredEvent decode(byte[] bytes) {
        ByteBuffer b = ByteBuffer.wrap(bytes);
        long version = b.getLong();
        long scoredAt = b.getLong();
        double[] values = new double[b.getInt()];
        for (int i = 0; i < values.length; i++) {
            values[i] = b.getDouble();
        }
        int predicted = b.getInt();
        double[] probabilities = new double[b.getInt()];
        for (int i = 0; i < probabilities.length; i++) {
            probabilities[i] = b.getDouble();
        }
        int[] set = new int[b.getInt()];
        for (int i = 0; i < set.length; i++) {
            set[i] = b.getInt();
        }
        int[] members = new int[b.getInt()];
        for (int i = 0; i < members.length; i++) {
            members[i] = b.getInt();
        }
        return new ScoredEvent(version, scoredAt, values, predicted, probabilities, set, members, b.getInt(), b.getDouble(),
                b.getDouble(), b.getDouble(), b.getInt(), b.getLong());
    }
}
