package io.vigie.learner;

import com.yahoo.labs.samoa.instances.Instance;
import io.vigie.learner.observers.GaussianObserver;
import io.vigie.learner.observers.NominalObserver;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotSame;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * Vigie's faster parts of MOA models (the tree observers, the forest's vote) change how fast the
 * presets learn and vote, never what they learn or vote.
 */
class PresetsMatchMoaTest {

    /**
     * Every preset with trees, next to the same string with MOA's own observers and forest: the
     * same votes, bit for bit, at every step of a stream with numeric and nominal features.
     */
    @ParameterizedTest
    @ValueSource(strings = {"ht", "hat", "arf", "arf25", "levbag", "srp", "patches"})
    void presetTrees_voteExactlyAsMoasOwn(String preset) {
        String withVigie = ModelSpec.PRESETS.get(preset);
        assertTrue(withVigie.contains(ModelSpec.TREE_OBSERVERS), preset + " names Vigie's observers");
        String withMoa = withVigie.replace(ModelSpec.TREE_OBSERVERS, "").replace(AdaptiveForest.class.getName(), "meta.AdaptiveRandomForest");
        GeneratedStream stream = new GeneratedStream(2, 11, 4000);
        Learner vigie = Learners.create(new ModelSpec(withVigie, 3), stream.schema());
        Learner moa = Learners.create(new ModelSpec(withMoa, 3), stream.schema());
        for (int i = 0; stream.hasNext(); i++) {
            Instance event = stream.nextInstance();
            assertArrayEquals(moa.predictProba(event).probabilities(), vigie.predictProba(event).probabilities(), preset + " at event " + i);
            moa.learn(event);
            vigie.learn(event);
        }
        assertEquals(moa.state().measurements(), vigie.state().measurements(), preset + ": the same trees");
        assertEquals(moa.state().members().stream().map(ModelState.Member::measurements).toList(),
                vigie.state().members().stream().map(ModelState.Member::measurements).toList(), preset + ": the same members");
    }

    /**
     * The split candidates and the class weights on each side, against MOA's observer fed the same
     * values: equal to the bit and of the same lengths, with a class never seen among three and a
     * feature whose values are all equal.
     */
    @Test
    void splitCandidatesAndSides_equalMoas() {
        java.util.Random random = new java.util.Random(5);
        for (boolean constant : new boolean[]{false, true}) {
            GaussianObserver vigie = new GaussianObserver();
            var moa = new moa.classifiers.core.attributeclassobservers.GaussianNumericAttributeClassObserver();
            for (int i = 0; i < 500; i++) {
                int label = random.nextBoolean() ? 0 : 2; // class 1 never seen
                double value = constant ? 3.5 : random.nextGaussian() * (label + 1) + label;
                double weight = 1 + random.nextInt(3);
                vigie.observeAttributeClass(value, label, weight);
                moa.observeAttributeClass(value, label, weight);
            }
            double[] candidates = moa.getSplitPointSuggestions();
            assertArrayEquals(candidates, vigie.getSplitPointSuggestions());
            assertEquals(constant, candidates.length == 0);
            double[] probes = java.util.Arrays.copyOf(candidates, candidates.length + 3);
            probes[candidates.length] = -100;
            probes[candidates.length + 1] = 100;
            probes[candidates.length + 2] = 3.5;
            for (double probe : probes) {
                double[][] expected = moa.getClassDistsResultingFromBinarySplit(probe);
                double[][] actual = vigie.getClassDistsResultingFromBinarySplit(probe);
                assertArrayEquals(expected[0], actual[0], "left of " + probe);
                assertArrayEquals(expected[1], actual[1], "right of " + probe);
            }
        }
    }

    @Test
    void anUntouchedObserver_isCopiedFreshWithItsOptions() {
        GaussianObserver prototype = new GaussianObserver();
        prototype.numBinsOption.setValue(23);
        GaussianObserver copy = prototype.copy();
        assertNotSame(prototype, copy);
        assertEquals(23, copy.numBinsOption.getValue());
        assertEquals(0, copy.getSplitPointSuggestions().length);
    }

    @Test
    void anObserverThatHasSeenValues_isCopiedWhole() {
        GaussianObserver numeric = new GaussianObserver();
        numeric.observeAttributeClass(1.0, 0, 1.0);
        numeric.observeAttributeClass(3.0, 1, 2.0);
        assertArrayEquals(numeric.getSplitPointSuggestions(), numeric.copy().getSplitPointSuggestions());
        assertEquals(numeric.probabilityOfAttributeValueGivenClass(2.0, 1),
                numeric.copy().probabilityOfAttributeValueGivenClass(2.0, 1));

        NominalObserver nominal = new NominalObserver();
        nominal.observeAttributeClass(2, 1, 4.0);
        NominalObserver copy = nominal.copy();
        assertEquals(4.0, copy.totalWeightOfClassObservations());
        assertEquals(nominal.probabilityOfAttributeValueGivenClass(2, 1), copy.probabilityOfAttributeValueGivenClass(2, 1));
    }
}
