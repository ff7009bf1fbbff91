package io.vigie.learner.monitor;

import java.io.Serializable;

/**
 * One channel's comparison at the end of a window.
 *
 * @param channel       the feature's name, or {@code model.score}, {@code model.entropy}, {@code model.abstention}
 * @param test          {@code ks} (numeric) or {@code chi2} (nominal)
 * @param statistic     KS D or the chi-square statistic
 * @param pValue        the p-value corrected for the number of channels tested (Bonferroni), at most 1
 * @param effect        KS D for numeric channels, PSI for nominal ones: what the tiers read
 * @param wasserstein   Wasserstein-1 in reference standard deviations (numeric; NaN for nominal)
 * @param referenceMean the reference sample's mean (the share of the second category for a two-valued nominal)
 * @param recentMean    the window's mean
 * @param severity      the tier reached
 */
public record ChannelResult(String channel, String test, double statistic, double pValue, double effect,
                            double wasserstein, double referenceMean, double recentMean, Severity severity)
        implements Serializable {
}
