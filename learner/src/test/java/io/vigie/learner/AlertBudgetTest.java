package io.vigie.learner;

import org.junit.jupiter.api.Test;

import java.util.Random;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** An alert budget alerts on its share of the highest recent scores, and follows the scores as they move. */
class AlertBudgetTest {
    private static ClassProbabilities scored(double positive) {
        return new ClassProbabilities(new double[]{1 - positive, positive}, positive > 0.5 ? 1 : 0, false, false);
    }

    @Test
    void itAlertsOnItsShareOfTheDay_whereverTheScoresLie() {
        AlertBudget budget = new AlertBudget(1, 50);
        budget.expectVolume(5_000); // 1 %
        Random random = new Random(4);
        int alerts = 0;
        for (int i = 0; i < 20_000; i++) {
            alerts += budget.decide(scored(random.nextDouble() * 0.2)).label() == 1 ? 1 : 0; // never above 0.2: argmax never alerts
        }
        assertTrue(alerts > 150 && alerts < 300, "about 1 % of 20,000 after the first lines: " + alerts);
        assertTrue(budget.line() > 0.19 && budget.line() < 0.2, "the line sits at the top 1 % of scores: " + budget.line());

        int shifted = 0;
        for (int i = 0; i < 20_000; i++) { // the model grows bolder: the line follows
            shifted += budget.decide(scored(0.5 + random.nextDouble() * 0.5)).label() == 1 ? 1 : 0;
        }
        assertTrue(budget.line() > 0.99, budget.line() + "");
        assertTrue(shifted < 1_500, "a line 500 scorings behind at worst, not every event: " + shifted);
        assertEquals(1, budget.decide(scored(1.0)).label());
    }
}
