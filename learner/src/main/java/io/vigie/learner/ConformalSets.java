package io.vigie.learner;

import java.io.Serializable;
import java.util.Arrays;
import java.util.List;
import java.util.stream.IntStream;

/**
 * Online conformal prediction sets with adaptive conformal inference (Gibbs &amp; Candès 2021).
 *
 * <p>Nonconformity of a labelled event is 1 − p(true class), computed with the probabilities the
 * model gave when it predicted the event (not after learning it), over the latest
 * {@code calibrationWindow} labelled events. The set holds every class c with 1 − p(c) within
 * the conformal quantile of those scores (see {@link AdaptiveThreshold}); with too few scores it
 * holds every class. Each label moves α by γ(α_target − err), err = 1 if the set that was given
 * missed the true class, so the long-run miss rate tracks the target under drift. Labels arrive
 * late; the update uses them when they arrive, never before, with a step shortened to the delay
 * (see {@link LevelRule#stableStep}), and leaves out events scored before the model had learned
 * any label (see {@link Model#learn}).
 *
 * <p>Marginal calibration (one threshold) covers the target share of all events. Per-class
 * (Mondrian) calibration keeps one threshold per true class and covers the target share of each
 * class: on a stream with 1 % fraud, marginal sets can meet 90 % while missing most frauds, and
 * must often be empty to miss no less than 10 %; per-class sets hold "fraud" for every event
 * that looks like the frauds seen so far.
 */
final class ConformalSets implements Serializable {
    private static final long serialVersionUID = 1L;

    /** One threshold for every class (marginal), or one per class (per-class). */
    private final AdaptiveThreshold[] thresholds;

    ConformalSets(AbstentionSettings settings, int numClasses) {
        int groups = settings.perClass() ? numClasses : 1;
        if (settings.classCoverage() != null && settings.classCoverage().length != numClasses) {
            throw new LearnerException("a target coverage per class needs " + numClasses + " targets, got "
                    + settings.classCoverage().length);
        }
        thresholds = new AdaptiveThreshold[groups];
        for (int g = 0; g < groups; g++) {
            thresholds[g] = new AdaptiveThreshold(1 - settings.coverageOf(g), settings.gamma(), settings.calibrationWindow(),
                    settings.method());
        }
    }

    private AdaptiveThreshold of(int classIndex) {
        return thresholds[thresholds.length == 1 ? 0 : classIndex];
    }

    /** The prediction set for a class distribution, as ascending class indices. */
    List<Integer> predictionSet(double[] probabilities) {
        // immutable from the start (a set of one class, the usual case, is a shared list): the
        // prediction keeps it without a copy, and an evaluation makes several per event
        Integer[] set = null;
        int size = 0;
        for (int c = 0; c < probabilities.length; c++) {
            if (1 - probabilities[c] <= of(c).threshold()) {
                if (set == null) {
                    set = new Integer[probabilities.length];
                }
                set[size++] = c;
            }
        }
        return switch (size) {
            case 0 -> List.of();
            case 1 -> set[0] < ONE_CLASS.size() ? ONE_CLASS.get(set[0]) : List.of(set[0]);
            default -> List.of(Arrays.copyOf(set, size));
        };
    }

    /** The sets of one class, for the first classes. */
    private static final List<List<Integer>> ONE_CLASS = IntStream.range(0, 64).mapToObj(List::of).toList();

    /**
     * Takes in a label: the probabilities and set given when the event was predicted, its true
     * class, and how many labels were learned between that prediction and this label.
     */
    void calibrate(double[] probabilitiesAtPrediction, boolean setCoveredTruth, int truth, long feedbackDelay) {
        of(truth).update(1 - probabilitiesAtPrediction[truth], setCoveredTruth, feedbackDelay);
    }

    /** The current, adapted miscoverage level α (of the first class's threshold when per class). */
    double alpha() {
        return thresholds[0].alpha();
    }

    /** How many scores calibrate the sets now (all thresholds together). */
    int calibrated() {
        int n = 0;
        for (AdaptiveThreshold threshold : thresholds) {
            n += threshold.size();
        }
        return n;
    }
}
