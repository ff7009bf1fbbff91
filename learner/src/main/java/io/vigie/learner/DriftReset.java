package io.vigie.learner;

/**
 * One expert of a committee replaced after a drift: when, which, why, and how it fared.
 *
 * @param at             the committee's learned-event count when it happened
 * @param expert         the index of the replaced expert
 * @param model          the replaced expert's model (preset or MOA CLI string)
 * @param trigger        the index of the expert whose error stream drifted
 * @param detector       the detector that signalled it
 * @param accuracyBefore the replaced expert's accuracy over its last window of labels
 * @param accuracyAfter  the new expert's accuracy over its first window of labels, or NaN until
 *                       that window has passed
 */
public record DriftReset(long at, int expert, String model, int trigger, String detector, double accuracyBefore,
                         double accuracyAfter) implements java.io.Serializable {

    /** The same reset, with the new expert's accuracy now known. */
    DriftReset withAccuracyAfter(double accuracy) {
        return new DriftReset(at, expert, model, trigger, detector, accuracyBefore, accuracy);
    }
}
