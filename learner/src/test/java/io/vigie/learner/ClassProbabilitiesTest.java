package io.vigie.learner;

import org.junit.jupiter.api.Test;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

class ClassProbabilitiesTest {
    private static final double NAN = Double.NaN;
    private static final double INF = Double.POSITIVE_INFINITY;

    @Test
    void fromVotes_normalisesRawVotes() {
        ClassProbabilities p = ClassProbabilities.fromVotes(new double[]{1, 3}, 2);
        assertArrayEquals(new double[]{0.25, 0.75}, p.probabilities(), 1e-15);
        assertEquals(1, p.label());
        assertFalse(p.noOpinion());
        assertFalse(p.irregular());
    }

    @Test
    void fromVotes_padsShortVotesToTheClassCount() {
        ClassProbabilities p = ClassProbabilities.fromVotes(new double[]{2}, 3);
        assertArrayEquals(new double[]{1, 0, 0}, p.probabilities(), 0);
        assertEquals(0, p.label());
    }

    @Test
    void fromVotes_emptyOrZeroVotesAreNoOpinion() {
        for (double[] votes : new double[][]{{}, {0, 0, 0}}) {
            ClassProbabilities p = ClassProbabilities.fromVotes(votes, 3);
            assertArrayEquals(new double[]{1 / 3.0, 1 / 3.0, 1 / 3.0}, p.probabilities(), 0);
            assertEquals(0, p.label(), "no opinion predicts class 0, as MOA does");
            assertTrue(p.noOpinion());
            assertFalse(p.irregular());
        }
    }

    @Test
    void fromVotes_nanAndNegativeInfinityCountAsZero() {
        ClassProbabilities p = ClassProbabilities.fromVotes(new double[]{NAN, 1, Double.NEGATIVE_INFINITY, 3}, 4);
        assertArrayEquals(new double[]{0, 0.25, 0, 0.75}, p.probabilities(), 1e-15);
        assertEquals(3, p.label());
        assertTrue(p.irregular());
    }

    @Test
    void fromVotes_onlyNanIsNoOpinionAndIrregular() {
        ClassProbabilities p = ClassProbabilities.fromVotes(new double[]{NAN, NAN}, 2);
        assertTrue(p.noOpinion());
        assertTrue(p.irregular());
        assertEquals(0, p.label());
    }

    @Test
    void fromVotes_positiveInfinitiesShareTheWholeMass() {
        ClassProbabilities p = ClassProbabilities.fromVotes(new double[]{5, INF, 7, INF}, 4);
        assertArrayEquals(new double[]{0, 0.5, 0, 0.5}, p.probabilities(), 0);
        assertEquals(1, p.label(), "the first infinite vote wins, as MOA's argmax picks it");
        assertTrue(p.irregular());
    }

    @Test
    void fromVotes_tieGoesToTheFirstMaximum() {
        assertEquals(1, ClassProbabilities.fromVotes(new double[]{1, 4, 4}, 3).label());
    }

    @Test
    void fromVotes_hugeVotesDoNotOverflow() {
        ClassProbabilities p = ClassProbabilities.fromVotes(new double[]{Double.MAX_VALUE, Double.MAX_VALUE}, 2);
        assertArrayEquals(new double[]{0.5, 0.5}, p.probabilities(), 0);
    }

    @Test
    void fromVotes_labelComesFromRawVotesEvenWhenScalingMergesThem() {
        double a = 1.0;
        double b = Math.nextUp(1.0);
        assertEquals(1, ClassProbabilities.fromVotes(new double[]{a, b}, 2).label());
    }
}
