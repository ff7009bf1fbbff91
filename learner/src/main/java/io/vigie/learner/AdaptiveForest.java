package io.vigie.learner;

import com.yahoo.labs.samoa.instances.Instance;
import moa.classifiers.meta.AdaptiveRandomForest;

import java.util.Arrays;

/**
 * MOA's adaptive random forest, voting without the garbage. MOA's vote copies the event, wraps
 * each tree's votes in a new vector and weighs them by the tree's accuracy read from a full
 * measurement report (a list of named measurements, kappa included) built afresh for every tree
 * at every prediction: in a committee serving predictions that was the largest single source of
 * allocation (9 % of the bytes, JFR). This vote reads the same accuracy directly and sums into one
 * array, in MOA's order of operations, so it is the same vote bit for bit ({@code
 * PresetsMatchMoaTest} holds the presets to MOA's own). Learning is MOA's, unchanged.
 */
public class AdaptiveForest extends AdaptiveRandomForest {
    private static final long serialVersionUID = 1L;

    @Override
    public double[] getVotesForInstance(Instance instance) {
        if (ensemble == null) {
            initEnsemble(instance);
        }
        double[] combined = new double[0];
        for (ARFBaseLearner member : ensemble) {
            double[] votes = member.classifier.getVotesForInstance(instance); // read only: MOA's member copies them first
            double sum = 0;
            double absoluteSum = 0;
            for (double vote : votes) {
                sum += vote;
                absoluteSum += Math.abs(vote);
            }
            if (!(sum > 0)) {
                continue; // no opinion (or NaN): MOA skips the tree
            }
            double scale = 1.0 / absoluteSum;
            double accuracy = member.evaluator.getFractionCorrectlyClassified() * 100.0;
            boolean weighted = !disableWeightedVote.isSet() && accuracy > 0.0;
            if (combined.length < votes.length) {
                combined = Arrays.copyOf(combined, votes.length);
            }
            for (int i = 0; i < votes.length; i++) {
                double normalised = votes[i] * scale;
                combined[i] += weighted ? normalised * accuracy : normalised;
            }
        }
        return combined;
    }
}
