package io.vigie.learner.observers;

import moa.classifiers.core.attributeclassobservers.GaussianNumericAttributeClassObserver;

/**
 * MOA's Gaussian observer of a numeric feature, made fresh by its constructor rather than by a
 * serialization round trip.
 *
 * <p>A Hoeffding tree gives every new leaf one observer per feature by {@code copy()} of a
 * prototype, and MOA copies by serializing and reading back. In a committee that learns
 * continuously those copies were 44 % of the bytes allocated (JFR), so the young collections
 * that set the prediction tail came twice as often. An untouched observer is copied here by
 * constructing one with the same options; one that has observed anything is still copied by MOA,
 * whole. Trees built with it grow and predict exactly as with MOA's own (PresetsMatchMoaTest).
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
}
