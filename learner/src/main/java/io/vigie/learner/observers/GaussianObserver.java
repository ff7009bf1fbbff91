package io.vigie.learner.observers;

import moa.classifiers.core.attributeclassobservers.GaussianNumericAttributeClassObserver;
import moa.core.GaussianEstimator;

import java.util.Arrays;

/**
 * MOA's Gaussian observer of a numeric feature, with less garbage and the same results.
 *
 * <p>A Hoeffding tree gives every new leaf one observer per feature by {@code copy()} of a
 * prototype, and MOA copies by serializing and reading back. In a committee that learns
 * continuously those copies were 44 % of the bytes allocated (JFR), so the young collections
 * that set the prediction tail came twice as often. An untouched observer is copied here by
 * constructing one with the same options; one that has observed anything is still copied by MOA,
 * whole.
 *
 * <p>The next garbage was the split attempts: every leaf of every tree, each grace period, ranks
 * candidate split points per feature, which MOA gathers in a set of boxed doubles and splits into
 * vectors that grow one class at a time. Here they are plain arrays, built with MOA's arithmetic
 * and of MOA's lengths. Trees built with this observer grow and predict exactly as with MOA's
 * own (PresetsMatchMoaTest).
 */
public final class GaussianObserver extends GaussianNumericAttributeClassObserver {
    private static final long serialVersionUID = 1L;

    @Override
    public GaussianObserver copy() {
        if (attValDistPerClass.size() > 0) {
            return (GaussianObserver) super.copy();
        }
        GaussianObserver fresh = new GaussianObserver();
        fresh.numBinsOption.setValue(numBinsOption.getValue());
        return fresh;
    }

    /** MOA's candidates (numBins equal-width bins between the smallest and largest value seen), sorted and distinct. */
    @Override
    public double[] getSplitPointSuggestions() {
        double minValue = Double.POSITIVE_INFINITY;
        double maxValue = Double.NEGATIVE_INFINITY;
        for (int i = 0; i < attValDistPerClass.size(); i++) {
            if (attValDistPerClass.get(i) != null) {
                if (minValueObservedPerClass.getValue(i) < minValue) {
                    minValue = minValueObservedPerClass.getValue(i);
                }
                if (maxValueObservedPerClass.getValue(i) > maxValue) {
                    maxValue = maxValueObservedPerClass.getValue(i);
                }
            }
        }
        if (!(minValue < Double.POSITIVE_INFINITY)) {
            return new double[0];
        }
        int bins = numBinsOption.getValue();
        double range = maxValue - minValue;
        double[] candidates = new double[bins];
        int count = 0;
        for (int i = 0; i < bins; i++) {
            double splitValue = range / (bins + 1.0) * (i + 1) + minValue;
            if (splitValue > minValue && splitValue < maxValue) {
                candidates[count++] = splitValue;
            }
        }
        Arrays.sort(candidates, 0, count); // the order of MOA's TreeSet<Double>, whose duplicates go next
        int distinct = 0;
        for (int i = 0; i < count; i++) {
            if (distinct == 0 || Double.compare(candidates[distinct - 1], candidates[i]) != 0) {
                candidates[distinct++] = candidates[i];
            }
        }
        return distinct == bins ? candidates : Arrays.copyOf(candidates, distinct);
    }

    /**
     * The class weights left and right of a split value, as MOA computes them; each side is as long
     * as MOA's growing vector would be (up to the last class that put weight on it).
     */
    @Override
    public double[][] getClassDistsResultingFromBinarySplit(double splitValue) {
        int classes = attValDistPerClass.size();
        double[] left = new double[classes];
        double[] right = new double[classes];
        int leftLength = 0;
        int rightLength = 0;
        for (int i = 0; i < classes; i++) {
            GaussianEstimator estimator = attValDistPerClass.get(i);
            if (estimator == null) {
                continue;
            }
            if (splitValue < minValueObservedPerClass.getValue(i)) {
                right[i] += estimator.getTotalWeightObserved();
                rightLength = i + 1;
            } else if (splitValue >= maxValueObservedPerClass.getValue(i)) {
                left[i] += estimator.getTotalWeightObserved();
                leftLength = i + 1;
            } else {
                double[] weights = estimator.estimatedWeight_LessThan_EqualTo_GreaterThan_Value(splitValue);
                left[i] += weights[0] + weights[1];
                right[i] += weights[2];
                leftLength = i + 1;
                rightLength = i + 1;
            }
        }
        return new double[][]{trimmed(left, leftLength), trimmed(right, rightLength)};
    }

    private static double[] trimmed(double[] weights, int length) {
        return length == weights.length ? weights : Arrays.copyOf(weights, length);
    }
}
