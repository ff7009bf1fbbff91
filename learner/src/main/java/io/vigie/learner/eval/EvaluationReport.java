package io.vigie.learner.eval;

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
 * @param seconds   wall-clock time of the run
 */
public record EvaluationReport(String stream, long events, LabelDelay delay, int window, int positive,
                               List<LearnerResult> learners, double seconds) {
    public EvaluationReport {
        learners = List.copyOf(learners);
    }

    /** Events per second over the whole run. */
    public double eventsPerSecond() {
        return seconds > 0 ? events / seconds : Double.NaN;
    }
}
