package io.vigie.learner.eval;

import org.junit.jupiter.api.Test;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

class BinaryRankingTest {

    private static BinaryRanking of(double[] scores, int[] labels) {
        BinaryRanking ranking = new BinaryRanking();
        for (int i = 0; i < scores.length; i++) {
            ranking.add(scores[i], labels[i] == 1);
        }
        return ranking;
    }

    @Test
    void distinctScores_matchTheTextbookExample() {
        // scikit-learn's documented example: roc_auc_score = 0.75, average_precision_score = 0.8333...
        BinaryRanking r = of(new double[]{0.1, 0.4, 0.35, 0.8}, new int[]{0, 0, 1, 1});
        assertEquals(0.75, r.rocAuc(), 1e-15);
        assertEquals(5 / 6.0, r.prAuc(), 1e-15);
    }

    @Test
    void ties_countHalfForRocAndGroupForPrecision() {
        BinaryRanking r = of(new double[]{0.5, 0.5, 0.5, 0.5}, new int[]{1, 0, 1, 0});
        assertEquals(0.5, r.rocAuc(), 1e-15);
        assertEquals(0.5, r.prAuc(), 1e-15);
        BinaryRanking mixed = of(new double[]{0.9, 0.7, 0.7, 0.2}, new int[]{1, 1, 0, 0});
        assertEquals((2 + 1 + 0.5) / 4, mixed.rocAuc(), 1e-15);
        assertEquals(0.5 * 1 + 0.5 * (2 / 3.0), mixed.prAuc(), 1e-15);
    }

    @Test
    void perfectAndMissingClasses() {
        BinaryRanking perfect = of(new double[]{0.9, 0.8, 0.1}, new int[]{1, 1, 0});
        assertEquals(1.0, perfect.rocAuc());
        assertEquals(1.0, perfect.prAuc());
        assertTrue(Double.isNaN(of(new double[]{0.3}, new int[]{1}).rocAuc()));
        assertTrue(Double.isNaN(of(new double[]{0.3}, new int[]{0}).prAuc()));
    }
}
