package io.vigie.learner.observers;

import moa.classifiers.core.attributeclassobservers.NominalAttributeClassObserver;

/**
 * MOA's observer of a nominal feature, made fresh by its constructor rather than by a
 * serialization round trip: see {@link GaussianObserver} for why. It has no options, so a fresh
 * one is all an untouched one holds.
 */
public final class NominalObserver extends NominalAttributeClassObserver {
    private static final long serialVersionUID = 1L;

    @Override
    public NominalObserver copy() {
        if (attValDistPerClass.size() > 0 || totalWeightObserved > 0 || missingWeightObserved > 0) {
            return (NominalObserver) super.copy();
        }
        return new NominalObserver();
    }
}
