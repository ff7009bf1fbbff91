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
        LearningThreads.use(threads);
        assertEquals(threads, LearningThreads.threads());
        EventStream stream = DriftStreams.agrawal(1, 4, 3000, 6000);
        Model model = new Model(Learners.create(ModelSpec.of("committee"), stream.schema()), AbstentionSettings.DEFAULTS);
        while (stream.hasNext()) {
            model.learnUnscored(stream.next().instance());
        }
        Ensemble committee = (Ensemble) model.learner();
        assertEquals(6000, committee.learned());
        assertTrue(!committee.resets().isEmpty(), "a member was replaced after the drift: the trial path ran too");
        ByteArrayOutputStream bytes = new ByteArrayOutputStream();
        try (ObjectOutputStream out = new ObjectOutputStream(bytes)) {
            out.writeObject(model);
        }
        return bytes.toByteArray();
    }

    @Test
    void refusesNoThreads() {
        assertThrows(IllegalArgumentException.class, () -> LearningThreads.use(0));
    }
}
