package io.vigie.learner.monitor;

/**
 * Two-sample comparisons of a reference sample with a recent one: Kolmogorov–Smirnov and
 * Wasserstein-1 for numbers, chi-square and the population stability index for categories.
 * Pure functions on arrays; the samples are not modified. The numeric tests take samples sorted
 * ascending (a monitor sorts each window once and compares it more than once).
 */
public final class TwoSample {
    private TwoSample() {
    }

    /** The KS statistic D (largest gap between the two empirical CDFs, ties handled) and its p-value. */
    public record Ks(double d, double pValue) {
    }

    /**
     * The two-sample Kolmogorov–Smirnov test. The p-value is the asymptotic one with Stephens'
     * small-sample correction (λ = (√n + 0.12 + 0.11/√n)·D, n = n₁n₂/(n₁+n₂)); with ties it is
     * conservative, which errs on the side of fewer alerts. Both samples sorted ascending.
     */
    public static Ks kolmogorovSmirnov(double[] a, double[] b) {
        int i = 0;
        int j = 0;
        double d = 0;
        while (i < a.length && j < b.length) {
            double x = Math.min(a[i], b[j]);
            while (i < a.length && a[i] <= x) {
                i++;
            }
            while (j < b.length && b[j] <= x) {
                j++;
            }
            d = Math.max(d, Math.abs((double) i / a.length - (double) j / b.length));
        }
        double n = (double) a.length * b.length / (a.length + b.length);
        double sqrtN = Math.sqrt(n);
        return new Ks(d, kolmogorovTail((sqrtN + 0.12 + 0.11 / sqrtN) * d));
    }

    /** P(K > λ) for the Kolmogorov distribution: 2 Σ (−1)^(j−1) exp(−2 j² λ²). */
    static double kolmogorovTail(double lambda) {
        if (lambda < 0.2) {
            return 1; // the series converges slowly here and the tail is 1 to 15 digits
        }
        double sum = 0;
        double sign = 1;
        for (int j = 1; j <= 100; j++) {
            double term = sign * Math.exp(-2.0 * j * j * lambda * lambda);
            sum += term;
            if (Math.abs(term) < 1e-16 * Math.abs(sum)) {
                break;
            }
            sign = -sign;
        }
        return Math.max(0, Math.min(1, 2 * sum));
    }

    /**
     * The Wasserstein-1 (earth mover's) distance between the two empirical distributions, divided
     * by the reference's standard deviation so that one threshold fits every feature's scale
     * (the raw distance if the reference is constant). Both samples sorted ascending.
     */
    public static double wasserstein(double[] a, double[] b) {
        int i = 0;
        int j = 0;
        double area = 0;
        double previous = Math.min(a[0], b[0]);
        while (i < a.length || j < b.length) {
            double x = j == b.length || i < a.length && a[i] <= b[j] ? a[i] : b[j];
            area += Math.abs((double) i / a.length - (double) j / b.length) * (x - previous);
            while (i < a.length && a[i] <= x) {
                i++;
            }
            while (j < b.length && b[j] <= x) {
                j++;
            }
            previous = x;
        }
        double sd = standardDeviation(a);
        return sd > 0 ? area / sd : area;
    }

    /** A chi-square test of homogeneity of two category counts: the statistic and its p-value. */
    public record ChiSquare(double statistic, int degreesOfFreedom, double pValue) {
    }

    public static ChiSquare chiSquare(long[] reference, long[] recent) {
        double n1 = sum(reference);
        double n2 = sum(recent);
        double statistic = 0;
        int categories = 0;
        for (int c = 0; c < reference.length; c++) {
            double column = reference[c] + recent[c];
            if (column == 0) {
                continue;
            }
            categories++;
            double e1 = n1 * column / (n1 + n2);
            double e2 = n2 * column / (n1 + n2);
            statistic += sq(reference[c] - e1) / e1 + sq(recent[c] - e2) / e2;
        }
        int df = categories - 1;
        double p = df <= 0 ? 1 : weka.core.Statistics.chiSquaredProbability(statistic, df);
        return new ChiSquare(statistic, df, p);
    }

    /**
     * The population stability index Σ (qᵢ − pᵢ) ln(qᵢ / pᵢ) of the recent shares q against the
     * reference shares p, each count smoothed by ½ so that an empty category stays finite.
     * By the usual reading: below 0.1 stable, 0.1 to 0.25 a moderate shift, above 0.25 a large one.
     */
    public static double psi(long[] reference, long[] recent) {
        double n1 = sum(reference) + 0.5 * reference.length;
        double n2 = sum(recent) + 0.5 * recent.length;
        double psi = 0;
        for (int c = 0; c < reference.length; c++) {
            double p = (reference[c] + 0.5) / n1;
            double q = (recent[c] + 0.5) / n2;
            psi += (q - p) * Math.log(q / p);
        }
        return psi;
    }

    static double mean(double[] values) {
        double s = 0;
        for (double v : values) {
            s += v;
        }
        return s / values.length;
    }

    private static double standardDeviation(double[] values) {
        double m = mean(values);
        double s = 0;
        for (double v : values) {
            s += sq(v - m);
        }
        return Math.sqrt(s / values.length);
    }

    private static long sum(long[] counts) {
        long s = 0;
        for (long c : counts) {
            s += c;
        }
        return s;
    }

    private static double sq(double x) {
        return x * x;
    }
}
