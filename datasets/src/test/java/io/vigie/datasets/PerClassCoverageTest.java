package io.vigie.datasets;

import com.yahoo.labs.samoa.instances.Instance;
import io.vigie.learner.AbstentionSettings;
import io.vigie.learner.EventStream;
import io.vigie.learner.Learners;
import io.vigie.learner.Model;
import io.vigie.learner.ModelSpec;
import io.vigie.learner.Prediction;
import org.junit.jupiter.api.Test;

import java.time.Duration;

import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * On the fraud stream (0.84 % frauds), sets calibrated per class cover the frauds at the target,
 * where marginal sets reach the target overall while leaving most frauds out.
 */
class PerClassCoverageTest {

    /** Share of the frauds whose prediction set held "fraud", over the first events of the stream. */
    private static double fraudCoverage(boolean perClass) {
        String source = SharedData.file("fraud_handbook.csv.gz").toString();
        try (EventStream stream = Streams.fraud(source, Duration.ofDays(7), 150_000)) {
            Model model = new Model(Learners.create(ModelSpec.of("nb"), stream.schema()),
                    AbstentionSettings.DEFAULTS.withPerClass(perClass));
            long frauds = 0;
            long covered = 0;
            while (stream.hasNext()) {
                Instance instance = stream.next().instance();
                Prediction p = model.predict(stream.schema().withoutLabel(instance));
                if (instance.classValue() == 1) {
                    frauds++;
                    covered += p.covers(1) ? 1 : 0;
                }
                model.learn(instance, p);
            }
            return (double) covered / frauds;
        }
    }

    @Test
    void perClassSets_coverTheRareClass() {
        double marginal = fraudCoverage(false);
        double perClass = fraudCoverage(true);
        assertTrue(perClass >= 0.88, "per-class sets hold 'fraud' for " + perClass + " of the frauds");
        assertTrue(perClass > marginal + 0.2, "marginal " + marginal + " vs per-class " + perClass);
    }
}
