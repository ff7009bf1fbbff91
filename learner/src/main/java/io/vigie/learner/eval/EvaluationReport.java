package io.vigie.learner.eval;

import weka.core.Statistics;

import java.util.List;

/**
 * The outcome of one prequential run: every learner's result on the same events.
 *
 * @param stream    the stream's name
 * @param events    events evaluated
 * @param delay     the label delay used
 * @param window    the window of the windowed metrics
 * @param positive  the class index scored for ROC-AUC / PR-AUC (binary streams)
 * @param learners  one result per learner, in the order given
 * @param onlyRight {@code onlyRight[i][j]}: events learner i predicted right and learner j wrong
 * @param seconds   wall-clock time of the run
 * @param implicit  the implicit labels, when labels of one class were never delivered; else null
 */
public record EvaluationReport(String stream, long events, LabelDelay delay, int window, int positive,
                               List<LearnerResult> learners, long[][] onlyRight, double seconds, Implicit implicit) {
    /**
     * Labels of {@code classIndex} never came: events were learned as it {@code after} their time
     * ({@code implied} of them), and {@code corrections} of those were learned again when their true
     * label came later.
     */
    public record Implicit(int classIndex, LabelDelay after, long implied, long corrections) {
    }

    public EvaluationReport {
        learners = List.copyOf(learners);
        onlyRight = copy(onlyRight);
    }

    /** {@code onlyRight[i][j]}, a copy: a report does not change once made. */
    @Override
    public long[][] onlyRight() {
        return copy(onlyRight);
    }

    private static long[][] copy(long[][] counts) {
        long[][] copy = new long[counts.length][];
        for (int i = 0; i < counts.length; i++) {
            copy[i] = counts[i].clone();
        }
        return copy;
    }

    /**
     * McNemar's test that learners i and j are equally accurate on these events: the chance of a
     * split between "only i right" and "only j right" at least this lopsided if each were a coin
     * flip (χ² with continuity correction, one degree of freedom). It takes the events as
     * independent; a stream's errors come in runs, so the true chance is larger: a small value
     * overstates a difference, a large one is safe to read as "no difference shown".
     */
    public double sameAccuracyPValue(int i, int j) {
        long b = onlyRight[i][j];
        long c = onlyRight[j][i];
        if (b + c == 0) {
            return 1.0;
        }
        double excess = Math.max(0, Math.abs(b - c) - 1.0);
        return Statistics.chiSquaredProbability(excess * excess / (b + c), 1);
    }

    /** Events per second over the whole run. */
    public double eventsPerSecond() {
        return seconds > 0 ? events / seconds : Double.NaN;
    }
}
