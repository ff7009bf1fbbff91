package io.vigie.server.store;

import io.vigie.learner.ClassProbabilities;
import io.vigie.learner.Prediction;
import io.vigie.learner.Uncertainty;

import java.nio.ByteBuffer;
import java.util.List;

/**
 * What a model answered for an event, as stored until the label comes: enough to learn the
 * label exactly as the answer was given (ensembles learn from what their members said then) and
 * to measure it.
 *
 * @param predicted     the class predicted (the best guess, also when abstaining)
 * @param probabilities the class distribution given
 * @param predictionSet the conformal set given
 * @param memberLabels  what an ensemble remembered of the scoring
 * @param reason        why the model abstained (a {@code Prediction.Reason} ordinal), or -1
 * @param entropy       normalised entropy of the distribution
 * @param margin        margin between the two most likely classes
 * @param disagreement  member disagreement, 0 for single learners
 * @param learnedBefore labels the model had learned when it answered ({@code Prediction.UNKNOWN}
 *                      in records written before it was kept); stored by {@link ScoredEvent} after
 *                      the other fields, so that older records still read
 * @param chanceRight   the chance the answer is right, as the model read it from the answer's
 *                      score (NaN when it could not yet, and in records written before it was kept);
 *                      stored by {@link ScoredEvent} last, likewise
 */
public record Answer(int predicted, double[] probabilities, int[] predictionSet, int[] memberLabels, int reason,
                     double entropy, double margin, double disagreement, long learnedBefore, double chanceRight) {

    public static Answer of(Prediction p) {
        Uncertainty u = p.uncertainty();
        return new Answer(p.label(), p.probabilities().probabilities(), ints(p.predictionSet()),
                ints(p.memberLabels()), p.reason() == null ? -1 : p.reason().ordinal(),
                u.entropy(), u.margin(), u.disagreement(), p.learnedBefore(), p.chanceRight());
    }

    /** The prediction as it was given. */
    public Prediction prediction() {
        Prediction.Reason why = reason < 0 ? null : Prediction.Reason.values()[reason];
        return new Prediction(new ClassProbabilities(probabilities, predicted, false, false), new Uncertainty(entropy, margin, disagreement),
                classes(predictionSet), why != null, why, classes(memberLabels), learnedBefore,
                chanceRight);
    }

    /** A list of classes as an array: a loop, not a stream (once per event learned, on the model's thread). */
    private static int[] ints(List<Integer> classes) {
        int[] array = new int[classes.size()];
        for (int i = 0; i < array.length; i++) {
            array[i] = classes.get(i);
        }
        return array;
    }

    /** The classes of an array as a list, the other way. */
    public static List<Integer> classes(int[] array) {
        Integer[] boxed = new Integer[array.length];
        for (int i = 0; i < array.length; i++) {
            boxed[i] = array[i];
        }
        return List.of(boxed);
    }

    int encodedSize() {
        return 4 * 5 + 8 * probabilities.length + 4 * (predictionSet.length + memberLabels.length) + 8 * 3;
    }

    void encode(ByteBuffer b) {
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
        b.putInt(reason).putDouble(entropy).putDouble(margin).putDouble(disagreement);
    }

    /** The same answer with its learned count, read from where {@link ScoredEvent} keeps it. */
    Answer withLearnedBefore(long count) {
        return new Answer(predicted, probabilities, predictionSet, memberLabels, reason, entropy, margin, disagreement, count, chanceRight);
    }

    /** The same answer with its chance of being right, read from where {@link ScoredEvent} keeps it. */
    Answer withChanceRight(double chance) {
        return new Answer(predicted, probabilities, predictionSet, memberLabels, reason, entropy, margin, disagreement, learnedBefore, chance);
    }

    /** Every field but {@link #learnedBefore} and {@link #chanceRight}, which {@link ScoredEvent} writes after the rest. */
    static Answer decode(ByteBuffer b) {
        int predicted = b.getInt();
        double[] probabilities = new double[b.getInt()];
        for (int i = 0; i < probabilities.length; i++) {
            probabilities[i] = b.getDouble();
        }
        int[] set = ints(b);
        int[] members = ints(b);
        return new Answer(predicted, probabilities, set, members, b.getInt(), b.getDouble(), b.getDouble(), b.getDouble(),
                Prediction.UNKNOWN, Double.NaN);
    }

    private static int[] ints(ByteBuffer b) {
        int[] values = new int[b.getInt()];
        for (int i = 0; i < values.length; i++) {
            values[i] = b.getInt();
        }
        return values;
    }
}
