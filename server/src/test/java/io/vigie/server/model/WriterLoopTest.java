package io.vigie.server.model;

import org.junit.jupiter.api.Test;

import java.util.ArrayList;
import java.util.Collections;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * The writer's loop alone, driving a scripted model: what it does in which order. A prediction
 * submitted while a batch is being learned runs before the next record of that batch; while the
 * model is frozen nothing is learned, yet predictions are served.
 */
class WriterLoopTest {
    /** A model whose batches are learned one record at a time, logging what happens in order. */
    private static final class Scripted implements WriterLoop.Work {
        final List<String> steps = Collections.synchronizedList(new ArrayList<>());
        int toLearn;
        int learned;
        volatile boolean frozen;
        volatile Runnable duringLearning = () -> { };

        @Override
        public boolean learning() {
            return toLearn > 0;
        }

        @Override
        public void learnOne() {
            steps.add("learn " + learned++);
            toLearn--;
            duringLearning.run();
        }

        @Override
        public void batchStaged() {
        }

        @Override
        public boolean waiting() {
            return frozen;
        }

        @Override
        public void pickUp() {
        }
    }

    @Test
    void aPredictionDuringABatch_waitsForOneRecordAtMost() throws Exception {
        Scripted model = new Scripted();
        WriterLoop loop = new WriterLoop("m", 100, 512, model);
        loop.start();
        CompletableFuture<Void> predicted = new CompletableFuture<>();
        model.duringLearning = () -> {
            if (model.learned == 3) { // the third record of 100 is learned: a prediction arrives
                loop.<String>fast(f -> {
                    model.steps.add("predict");
                    f.complete("answer");
                }).thenRun(() -> predicted.complete(null));
            }
        };
        CompletableFuture<String> batch = loop.slow(false, f -> {
            model.toLearn = 100; // what a batch of 100 labels leaves to learn once logged
            f.complete("staged");
        });
        assertEquals("staged", batch.get(10, TimeUnit.SECONDS));
        predicted.get(10, TimeUnit.SECONDS);
        loop.stop();

        assertEquals(101, model.steps.size());
        assertEquals("predict", model.steps.get(3), "served right after the record during which it came: " + model.steps.subList(0, 6));
        assertEquals("learn 99", model.steps.get(100));
    }

    @Test
    void whileFrozen_nothingIsLearned_butPredictionsAreServed() throws Exception {
        Scripted model = new Scripted();
        model.frozen = true;
        WriterLoop loop = new WriterLoop("m", 100, 512, model);
        loop.start();
        CompletableFuture<Object> batch = loop.slow(false, f -> {
            model.toLearn = 5;
            f.complete(null);
        });
        for (int i = 0; i < 3; i++) {
            loop.<Integer>fast(f -> f.complete(1)).get(10, TimeUnit.SECONDS);
        }
        assertTrue(model.steps.isEmpty() && !batch.isDone(), "no batch starts and nothing is learned while frozen: " + model.steps);
        model.frozen = false;
        loop.wake();
        batch.get(10, TimeUnit.SECONDS);
        loop.stop(); // finishes what was logged
        assertEquals(List.of("learn 0", "learn 1", "learn 2", "learn 3", "learn 4"), model.steps);
    }

    @Test
    void likeRequestsQueuedBackToBack_areServedAsOneRun_eachWithItsOwnAnswer() throws Exception {
        Scripted model = new Scripted();
        WriterLoop loop = new WriterLoop("m", 100, 512, model);
        List<List<Integer>> runs = Collections.synchronizedList(new ArrayList<>());
        WriterLoop.Run<Integer, Integer> squares = members -> {
            runs.add(members.stream().map(WriterLoop.Member::request).toList());
            members.forEach(m -> m.future().complete(m.request() * m.request()));
        };
        WriterLoop.Run<Integer, Integer> refused = members -> {
            throw io.vigie.server.ApiProblem.conflict("no", "refused");
        };
        // queued before the loop starts, so what is queued back to back is known
        List<CompletableFuture<Integer>> answers = new ArrayList<>();
        for (int i = 1; i <= 3; i++) {
            answers.add(loop.fastInRun(i, squares));
        }
        CompletableFuture<Integer> other = loop.fast(f -> {
            runs.add(List.of(0));
            f.complete(0);
        });
        answers.add(loop.fastInRun(4, squares));
        CompletableFuture<Integer> failed = loop.fastInRun(5, refused);
        CompletableFuture<Integer> failedToo = loop.fastInRun(6, refused);
        answers.add(loop.fastInRun(7, squares));
        loop.start();

        assertEquals(List.of(1, 4, 9, 16, 49), answers.stream().map(CompletableFuture::join).toList());
        assertEquals(0, other.get(10, TimeUnit.SECONDS));
        assertTrue(failed.isCompletedExceptionally() && failedToo.isCompletedExceptionally(), "a run that fails fails each of its members");
        loop.stop();
        assertEquals(List.of(List.of(1, 2, 3), List.of(0), List.of(4), List.of(7)), runs,
                "a run is the like requests right behind each other, in order; another request ends it");
    }

    @Test
    void aFullLane_refusesWith429() throws Exception {
        Scripted model = new Scripted();
        model.frozen = true;
        WriterLoop loop = new WriterLoop("m", 2, 512, model);
        // not started: nothing drains the lanes
        loop.slow(false, f -> f.complete(null));
        loop.slow(false, f -> f.complete(null));
        CompletableFuture<Object> third = loop.slow(false, f -> f.complete(null));
        assertTrue(third.isCompletedExceptionally());
        assertTrue(third.handle((v, e) -> e.getMessage()).get().contains("2 requests queued"));
    }
}
