package io.vigie.learner.monitor;

import java.io.Serializable;
import java.util.Arrays;

/**
 * One monitored quantity — a feature, the score, the entropy, the abstention flag — as a
 * reference sample and the window being filled. Missing values (NaN) are not counted.
 * Numeric features are compared by Kolmogorov–Smirnov; categories, and numbers in [0, 1] read as
 * deciles (the model's score and entropy, whose exact values jump each time a tree splits), by
 * chi-square with PSI as the effect.
 */
final class Channel implements Serializable {
    private static final long serialVersionUID = 1L;

    /** Which sample a window is compared with. */
    enum Reference {
        /** The first full window, replaced by the recent one after an alert (the new normal). */
        FIXED,
        /**
         * The window before: for the model's own outputs. They move as the model learns (a split,
         * a change of weights), even on a stationary stream, so a shift in them is a warning at
         * most, never an alert.
         */
        PREVIOUS
    }

    /** The number of deciles a value in [0, 1] is read in. */
    static final int DECILES = 10;

    final String name;
    /** Number of categories for a nominal or decile channel, 0 for a numeric one. */
    final int categories;
    /** Whether values are numbers in [0, 1] counted by decile rather than category indices. */
    final boolean deciles;
    final Reference reference;
    /** Whether only a rise of the mean counts (uncertainty, abstentions); a fall is good news. */
    final boolean risingOnly;
    private final double[] window;
    private int filled;
    private double[] referenceSample;

    private Channel(String name, int categories, boolean deciles, Reference reference, boolean risingOnly, int windowSize) {
        this.name = name;
        this.categories = categories;
        this.deciles = deciles;
        this.reference = reference;
        this.risingOnly = risingOnly;
        this.window = new double[windowSize];
    }

    static Channel numeric(String name, int windowSize) {
        return new Channel(name, 0, false, Reference.FIXED, false, windowSize);
    }

    static Channel nominal(String name, int categories, int windowSize) {
        return new Channel(name, categories, false, Reference.FIXED, false, windowSize);
    }

    /** A channel of the model's output, compared with the window before; {@code risingOnly}: only a rise counts. */
    static Channel output(String name, boolean unitInterval, boolean risingOnly, int windowSize) {
        return new Channel(name, unitInterval ? DECILES : 2, unitInterval, Reference.PREVIOUS, risingOnly, windowSize);
    }

    void add(double value) {
        if (!Double.isNaN(value) && filled < window.length) {
            window[filled++] = value;
        }
    }

    /** A window is over: compares it with the reference (null if either is too small), then moves on. */
    ChannelResult close(int tested, int minimum) {
        double[] recent = Arrays.copyOf(window, filled);
        filled = 0;
        if (categories == 0) {
            Arrays.sort(recent); // once: the KS and Wasserstein walks read sorted samples, and a reference is a former window
        }
        if (referenceSample == null || referenceSample.length < minimum) {
            referenceSample = recent;
            return null;
        }
        if (recent.length < minimum) {
            return null;
        }
        ChannelResult result = compare(referenceSample, recent, tested);
        if (reference == Reference.PREVIOUS || result.severity() == Severity.ALERT) {
            referenceSample = recent;
        }
        return result;
    }

    private ChannelResult compare(double[] ref, double[] recent, int tested) {
        double refMean = TwoSample.mean(ref);
        double recentMean = TwoSample.mean(recent);
        boolean wrongWay = risingOnly && recentMean <= refMean;
        Severity ceiling = reference == Reference.PREVIOUS ? Severity.WARNING : Severity.ALERT;
        if (categories > 0) {
            long[] a = counts(ref);
            long[] b = counts(recent);
            TwoSample.ChiSquare chi = TwoSample.chiSquare(a, b);
            double p = Math.min(1, chi.pValue() * tested);
            double psi = TwoSample.psi(a, b);
            return new ChannelResult(name, "chi2", chi.statistic(), p, psi, Double.NaN, refMean, recentMean,
                    wrongWay ? Severity.NONE : min(Severity.of(p, psi, true), ceiling));
        }
        TwoSample.Ks ks = TwoSample.kolmogorovSmirnov(ref, recent);
        double p = Math.min(1, ks.pValue() * tested);
        return new ChannelResult(name, "ks", ks.d(), p, ks.d(), TwoSample.wasserstein(ref, recent), refMean, recentMean,
                wrongWay ? Severity.NONE : min(Severity.of(p, ks.d(), false), ceiling));
    }

    private static Severity min(Severity a, Severity b) {
        return a.compareTo(b) <= 0 ? a : b;
    }

    private long[] counts(double[] values) {
        long[] counts = new long[categories];
        for (double v : values) {
            counts[deciles ? Math.min(DECILES - 1, Math.max(0, (int) (v * DECILES))) : (int) v]++;
        }
        return counts;
    }
}
