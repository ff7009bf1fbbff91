package io.vigie.server.model;

import io.vigie.learner.eval.ClassificationMetrics;

import java.io.Serializable;

/**
 * How a model's answers fared once their labels came: prequential accuracy and kappa, coverage
 * of the prediction sets, abstentions and selective accuracy, over the whole stream and over the
 * latest {@link #WINDOW} labels. Updated as the log is applied and stored in each snapshot, so a
 * recovered model reports exactly what one that never stopped would.
 */
public final class ServingMetrics implements Serializable {
    private static final long serialVersionUID = 1L;
    /** The window of the windowed figures. */
    public static final int WINDOW = 1000;

    private final ClassificationMetrics cumulative;
    private final ClassificationMetrics windowed;
    private final Rates all = new Rates(0);
    private final Rates recent = new Rates(WINDOW);

    public ServingMetrics(int numClasses) {
        this.cumulative = new ClassificationMetrics(numClasses);
        this.windowed = new ClassificationMetrics(numClasses, WINDOW);
    }

    /** Takes in one labelled answer. */
    public void add(int predicted, int truth, boolean covered, int setSize, boolean abstained) {
        cumulative.add(predicted, truth);
        windowed.add(predicted, truth);
        all.add(covered, setSize, abstained, predicted == truth);
        recent.add(covered, setSize, abstained, predicted == truth);
    }

    public ClassificationMetrics cumulative() {
        return cumulative;
    }

    public ClassificationMetrics windowed() {
        return windowed;
    }

    public Rates allRates() {
        return all;
    }

    public Rates recentRates() {
        return recent;
    }

    /** Coverage, set size, abstention and selective accuracy over all labels or a window of them. */
    public static final class Rates implements Serializable {
        private static final long serialVersionUID = 1L;
        private final int window;
        private final byte[] ringFlags;
        private final int[] ringSizes;
        private int next;
        private long count;
        private long covered;
        private long setSizes;
        private long abstained;
        private long answeredCorrect;

        Rates(int window) {
            this.window = window;
            this.ringFlags = new byte[window];
            this.ringSizes = new int[window];
        }

        void add(boolean isCovered, int setSize, boolean isAbstained, boolean correct) {
            byte flags = (byte) ((isCovered ? 1 : 0) | (isAbstained ? 2 : 0) | (!isAbstained && correct ? 4 : 0));
            if (window > 0) {
                if (count == window) {
                    apply(ringFlags[next], ringSizes[next], -1);
                    count--;
                }
                ringFlags[next] = flags;
                ringSizes[next] = setSize;
                next = (next + 1) % window;
            }
            apply(flags, setSize, 1);
            count++;
        }

        private void apply(byte flags, int setSize, int sign) {
            covered += sign * (flags & 1);
            abstained += sign * ((flags >> 1) & 1);
            answeredCorrect += sign * ((flags >> 2) & 1);
            setSizes += (long) sign * setSize;
        }

        public long count() {
            return count;
        }

        public double coverage() {
            return count == 0 ? Double.NaN : (double) covered / count;
        }

        public double meanSetSize() {
            return count == 0 ? Double.NaN : (double) setSizes / count;
        }

        public double abstentionRate() {
            return count == 0 ? Double.NaN : (double) abstained / count;
        }

        /** Accuracy on the events the model answered (did not abstain on). */
        public double selectiveAccuracy() {
            long answered = count - abstained;
            return answered == 0 ? Double.NaN : (double) answeredCorrect / answered;
        }
    }
}
