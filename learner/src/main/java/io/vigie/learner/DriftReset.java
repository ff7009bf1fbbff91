package io.vigie.learner;

/**
 * One expert of a committee replaced after a drift: when, which, why, and how it fared.
 *
 * @param at             the committee's learned-event count when it happened
 * @param expert         the index of the replaced expert, whose error stream drifted
 * @param model          the replaced expert's model (preset or MOA CLI string)
 * @param detector       the detector that signalled the drift
 * @param accuracyBefore the replaced expert's accuracy over the trial window (tested on each
 *                       label before learning it)
 * @param accuracyAfter  the new expert's accuracy over the same window, on the same terms
 */
public record DriftReset(long at, int expert, String model, String detector, double accuracyBefore,
                         double accuracyAfter) implements java.io.Serializable {
}
