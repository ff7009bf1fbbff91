package io.vigie.learner;

import java.io.Serializable;
import java.util.Arrays;

/**
 * How often an event with a given score turns out true, learned from the latest
 * {@value #WINDOW} labelled scores: an isotonic (monotone, stepwise) fit of outcome on score,
 * redrawn every {@value #EVERY} labels. A model's probabilities are seldom calibrated (a
 * committee's average is pulled to the middle, a Hoeffding tree's leaves are sure of
 * themselves); the fit maps them to the frequencies they have had lately.
 *
 * <p>Isotonic, because it only assumes that a higher score means "more often true". The fit is
 * over {@value #BINS} bins of the score's log-odds, a quarter wide from −12 to 12, so that the
 * fine differences of a rare class's small scores (0.001 against 0.01) stay apart as much as
 * those around one half. The window is counted per bin as labels come and go: a label costs a
 * few increments, and a fit a pass over the bins, not a sort of the window (which cost a
 * Hoeffding tree's evaluation an eighth of its time). The rates are the blocks' own, unsmoothed:
 * the fit then keeps the window's mean (its chances sum to the window's true outcomes), so a
 * window of answers scored like the latest ones is estimated without bias. (Pulling each rate
 * towards one half cost a committee, whose many distinct scores made many small blocks, 16
 * points of estimated accuracy on RBF.)
 */
public final class ScoreCalibration implements Serializable {
    private static final long serialVersionUID = 1L;
    public static final int WINDOW = 2000;
    static final int EVERY = 100;
    /** Labels before the fit is trusted at all. */
    public static final int MIN_LABELS = 200;
    static final int BINS = 96;
    /**
     * The probability at each inner edge between bins, ascending, then +∞ up to 127 entries for
     * the search; computed strictly, so that every JVM bins alike.
     */
    private static final double[] EDGES = new double[127];

    static {
        Arrays.fill(EDGES, Double.POSITIVE_INFINITY);
        for (int b = 1; b < BINS; b++) {
            double logOdds = -12 + 24.0 * b / BINS;
            EDGES[b - 1] = 1 / (1 + StrictMath.exp(-logOdds));
        }
    }

    private final byte[] binOf = new byte[WINDOW];
    private final boolean[] outcomes = new boolean[WINDOW];
    private final int[] counts = new int[BINS];
    private final int[] trues = new int[BINS];
    private int filled;
    private int next;
    private int sinceFit;
    /** The fitted rate of each bin (an empty bin takes the rate of the block above it, past the last block the last one's); null before the first fit. */
    private double[] rate;

    /** Takes in a labelled score: the score given, and whether its event turned out true. */
    public void add(double score, boolean outcome) {
        if (filled == WINDOW) {
            counts[binOf[next]]--;
            trues[binOf[next]] -= outcomes[next] ? 1 : 0;
        } else {
            filled++;
        }
        int bin = bin(score);
        binOf[next] = (byte) bin;
        outcomes[next] = outcome;
        counts[bin]++;
        trues[bin] += outcome ? 1 : 0;
        next = (next + 1) % WINDOW;
        if (++sinceFit >= EVERY && filled >= MIN_LABELS) {
            sinceFit = 0;
            fit();
        }
    }

    /** Whether enough labels have come for the fit to say something. */
    public boolean ready() {
        return rate != null;
    }

    /** How often events of this score have been true lately; NaN until {@link #ready()}. */
    public double probability(double score) {
        return rate == null ? Double.NaN : rate[bin(score)];
    }

    /**
     * The edges at or below the score: seven halvings with a conditional add and no branch to
     * mispredict (a binary search's branches cost a Hoeffding tree's evaluation 2 % of its time).
     */
    private static int bin(double score) {
        int below = 0;
        for (int step = 64; step > 0; step >>>= 1) {
            below += EDGES[below + step - 1] <= score ? step : 0;
        }
        return below;
    }

    /** Pool-adjacent-violators over the bins in order: the least-squares monotone fit. */
    private void fit() {
        int[] blockEnd = new int[BINS]; // the last bin of each block
        double[] blockTrues = new double[BINS];
        double[] blockCounts = new double[BINS];
        int blocks = 0;
        for (int b = 0; b < BINS; b++) {
            if (counts[b] == 0) {
                continue;
            }
            blockEnd[blocks] = b;
            blockTrues[blocks] = trues[b];
            blockCounts[blocks] = counts[b];
            blocks++;
            // merge backwards while the rate falls
            while (blocks > 1 && blockTrues[blocks - 1] * blockCounts[blocks - 2] < blockTrues[blocks - 2] * blockCounts[blocks - 1]) {
                blockEnd[blocks - 2] = blockEnd[blocks - 1];
                blockTrues[blocks - 2] += blockTrues[blocks - 1];
                blockCounts[blocks - 2] += blockCounts[blocks - 1];
                blocks--;
            }
        }
        double[] fitted = new double[BINS];
        int block = 0;
        for (int b = 0; b < BINS; b++) {
            while (block < blocks - 1 && b > blockEnd[block]) {
                block++;
            }
            fitted[b] = blockTrues[block] / blockCounts[block];
        }
        rate = fitted;
    }
}
