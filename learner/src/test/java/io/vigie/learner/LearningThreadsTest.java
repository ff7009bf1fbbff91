package io.vigie.learner;

import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.ObjectOutputStream;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

class LearningThreadsTest {

    @AfterEach
    void oneThreadAgain() {
        LearningThreads.use(1);
    }

    /** The default committee across an abrupt drift (members reset on trial): the same bytes whatever the threads. */
    @Test
    void aCommitteeLearnsTheSameModel_bitForBit_onOneTwoOrFourThreads() throws IOException {
        byte[] one = learned(1);
        byte[] two = learned(2);
        byte[] four = learned(4);
        assertArrayEquals(one, two);
        assertArrayEquals(one, four);
    }

    private static byte[] learned(int threads) throws IOException {
        return learned(threads, 6000);
    }

    private static byte[] learned(int threads, int events) throws IOException {
        LearningThreads.use(threads);
        assertEquals(threads, LearningThreads.threads());
        EventStream stream = DriftStreams.agrawal(1, 4, events / 2, events);
        Model model = new Model(Learners.create(ModelSpec.of("committee"), stream.schema()), AbstentionSettings.DEFAULTS);
        while (stream.hasNext()) {
            model.learnUnscored(stream.next().instance());
        }
        Ensemble committee = (Ensemble) model.learner();
        assertEquals(events, committee.learned());
        assertTrue(events < 6000 || !committee.resets().isEmpty(), "a member was replaced after the drift: the trial path ran too");
        ByteArrayOutputStream bytes = new ByteArrayOutputStream();
        try (ObjectOutputStream out = new ObjectOutputStream(bytes)) {
            out.writeObject(model);
        }
        return bytes.toByteArray();
    }

    /** Two models' writers learning at once share the helpers (one at a time, the other in order): both stay exact. */
    @Test
    void twoModelsLearningAtOnce_bothLearnWhatTheyWouldAlone() throws Exception {
        byte[] alone = learned(1, 2000);
        LearningThreads.use(2);
        java.util.concurrent.ExecutorService writers = java.util.concurrent.Executors.newFixedThreadPool(2);
        try {
            var first = writers.submit(() -> learned(2, 2000));
            var second = writers.submit(() -> learned(2, 2000));
            assertArrayEquals(alone, first.get(60, java.util.concurrent.TimeUnit.SECONDS));
            assertArrayEquals(alone, second.get(60, java.util.concurrent.TimeUnit.SECONDS));
        } finally {
            writers.shutdownNow();
        }
    }

    @Test
    void refusesNoThreads() {
        assertThrows(IllegalArgumentException.class, () -> LearningThreads.use(0));
    }
}
