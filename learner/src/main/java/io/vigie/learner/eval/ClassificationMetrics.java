package io.vigie.learner.eval;

/**
 * Accuracy, kappa, kappa-temporal and kappa-M over a whole stream or over its last
 * {@code window} predictions.
 *
 * <p>Over the whole stream the arithmetic is exactly that of MOA's
 * {@code BasicClassificationPerformanceEvaluator} (same sums, same order of operations), so the
 * numbers are bit-identical to MOA's. That includes two of MOA's conventions: the no-change
 * classifier behind kappa-temporal starts from class 0, and the majority classifier behind kappa-M
 * counts the current label before it predicts.
 *
 * <p>Per class, it also counts the predictions that were right: precision and recall of a class
 * (a fraud model's figures at its operating point).
 */
public final class ClassificationMetrics implements java.io.Serializable {
    private static final long serialVersionUID = 1L;
    private final int numClasses;
    private final int window;
    private final long[] predictedCounts;
    private final long[] trueCounts;
    private long seen;
    private long correct;
    private long noChangeCorrect;
    private long majorityCorrect;
    private int lastSeenClass;
    // ring buffers, only when windowed
    private final int[] ringPredicted;
    private final int[] ringTrue;
    private final byte[] ringBaselineHits;
    private int ringNext;
    /** Per class: predicted, true and right, since they were kept (metrics restored from before count from then). */
    private long[] classPredicted;
    private long[] classTrue;
    private long[] classCorrect;
    /** The oldest predictions of the window that the per-class counts never saw (restored from before they were kept). */
    private long uncounted;

    /** Metrics over the whole stream. */
    public ClassificationMetrics(int numClasses) {
        this(numClasses, 0);
    }

    /** Metrics over the last {@code window} predictions; 0 means the whole stream. */
    public ClassificationMetrics(int numClasses, int window) {
        if (window < 0) {
            throw new IllegalArgumentException("window must be 0 (whole stream) or positive: " + window);
        }
        this.numClasses = numClasses;
        this.window = window;
        this.predictedCounts = new long[numClasses];
        this.trueCounts = new long[numClasses];
        this.ringPredicted = new int[window];
        this.ringTrue = new int[window];
        this.ringBaselineHits = new byte[window];
        startClassCounts();
    }

    private void startClassCounts() {
        classPredicted = new long[numClasses];
        classTrue = new long[numClasses];
        classCorrect = new long[numClasses];
        uncounted = seen;
    }

    private void readObject(java.io.ObjectInputStream in) throws java.io.IOException, ClassNotFoundException {
        in.defaultReadObject();
        if (classPredicted == null) {
            startClassCounts();
        }
    }

    /** Records one prediction and the true class. */
    public void add(int predicted, int truth) {
        if (window > 0 && seen == window) {
            evict(ringNext);
        }
        seen++;
        if (predicted == truth) {
            correct++;
        }
        predictedCounts[predicted]++;
        trueCounts[truth]++;
        classPredicted[predicted]++;
        classTrue[truth]++;
        classCorrect[truth] += predicted == truth ? 1 : 0;
        boolean noChangeHit = lastSeenClass == truth;
        boolean majorityHit = majorityClass() == truth;
        noChangeCorrect += noChangeHit ? 1 : 0;
        majorityCorrect += majorityHit ? 1 : 0;
        lastSeenClass = truth;
        if (window > 0) {
            ringPredicted[ringNext] = predicted;
            ringTrue[ringNext] = truth;
            ringBaselineHits[ringNext] = (byte) ((noChangeHit ? 1 : 0) | (majorityHit ? 2 : 0));
            ringNext = (ringNext + 1) % window;
        }
    }

    private void evict(int slot) {
        seen--;
        int predicted = ringPredicted[slot];
        int truth = ringTrue[slot];
        if (predicted == truth) {
            correct--;
        }
        predictedCounts[predicted]--;
        trueCounts[truth]--;
        if (uncounted > 0) {
            uncounted--;
        } else {
            classPredicted[predicted]--;
            classTrue[truth]--;
            classCorrect[truth] -= predicted == truth ? 1 : 0;
        }
        noChangeCorrect -= ringBaselineHits[slot] & 1;
        majorityCorrect -= (ringBaselineHits[slot] >> 1) & 1;
    }

    /** The class seen most often so far (the first of those tied; class 0 before any). */
    private int majorityClass() {
        int majority = 0;
        long best = 0;
        for (int i = 0; i < numClasses; i++) {
            if (trueCounts[i] > best) {
                majority = i;
                best = trueCounts[i];
            }
        }
        return majority;
    }

    /** Predictions counted (the window's fill when windowed). */
    public long count() {
        return seen;
    }

    /** Correct predictions counted. */
    public long correct() {
        return correct;
    }

    public double accuracy() {
        return (double) correct / seen;
    }

    public double kappa() {
        if (seen == 0) {
            return 0;
        }
        double p0 = accuracy();
        double pc = 0.0;
        for (int i = 0; i < numClasses; i++) {
            pc += ((double) predictedCounts[i] / seen) * ((double) trueCounts[i] / seen);
        }
        return (p0 - pc) / (1.0 - pc);
    }

    /** Predictions of a class that were wrong: false alarms, when it is the positive class. */
    public long falsePositives(int classIndex) {
        return classPredicted[classIndex] - classCorrect[classIndex];
    }

    /** Events of a class predicted as another: misses, when it is the positive class. */
    public long falseNegatives(int classIndex) {
        return classTrue[classIndex] - classCorrect[classIndex];
    }

    /** Of the predictions of a class, the share that were right (NaN before any). */
    public double precision(int classIndex) {
        return (double) classCorrect[classIndex] / classPredicted[classIndex];
    }

    /** Of the events of a class, the share predicted as it (NaN before any). */
    public double recall(int classIndex) {
        return (double) classCorrect[classIndex] / classTrue[classIndex];
    }

    /** Kappa against the no-change classifier (predict the previous event's class). */
    public double kappaTemporal() {
        return seen == 0 ? 0 : against((double) noChangeCorrect / seen);
    }

    /** Kappa against the majority-class classifier. */
    public double kappaM() {
        return seen == 0 ? 0 : against((double) majorityCorrect / seen);
    }

    private double against(double pc) {
        return (accuracy() - pc) / (1.0 - pc);
    }
}
