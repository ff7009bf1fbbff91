package io.vigie.server.model;

import io.vigie.server.ApiProblem;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.ArrayBlockingQueue;
import java.util.concurrent.BlockingQueue;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.Semaphore;
import java.util.function.Consumer;

/**
 * The thread that owns a model, and its two lanes. Predictions and reads (the fast lane) run as
 * soon as the thread is free. Labels, labelled events and changes (the slow lane) run in batches:
 * a batch stages its records, they are logged together, then learned one at a time, and the fast
 * lane is served between each two. So a prediction waits for the learning of one event at most,
 * never for a whole batch. While the writer waits for another thread (a batch being logged and
 * fsynced, the model serialized for a snapshot) nothing is learned and no batch starts;
 * predictions go on.
 *
 * <p>Like requests queued back to back in the fast lane (single predictions) are served as one run,
 * each with its own answer: one store read and one write for the run instead of one each.
 *
 * <p>A full lane is back-pressure: the request is refused with 429 and Retry-After rather than
 * queued without bound.
 */
final class WriterLoop {
    private static final Logger LOG = LoggerFactory.getLogger(WriterLoop.class);

    /**
     * A task; a barrier runs once everything before it is learned; in the slow lane a null
     * {@code work} stops the thread. A task of a run ({@code run} not null, {@code work} null) is
     * served with the tasks of the same run queued right behind it, {@code request} being its part.
     */
    private record Task(boolean barrier, Runnable work, CompletableFuture<?> future, Run<?, ?> run, Object request) {
        Task(boolean barrier, Runnable work, CompletableFuture<?> future) {
            this(barrier, work, future, null, null);
        }
    }

    /** One request of a run: what it asks and its own answer. */
    record Member<R, T>(R request, CompletableFuture<T> future) {
    }

    /** Serves a run of like requests at once; each member's future must be completed. */
    interface Run<R, T> {
        void serve(List<Member<R, T>> members);
    }

    /** What the loop drives: the writer's learning, one step at a time. */
    interface Work {
        /** Whether logged records wait to be learned. */
        boolean learning();

        /** Learns the next logged record (the batch is answered after its last). */
        void learnOne();

        /** A slow batch ran: log what it staged. */
        void batchStaged();

        /** Whether the writer waits for another thread (the log being written, the model serialized): nothing is learned meanwhile. */
        boolean waiting();

        /** Picks up what other threads finished (a log append, a snapshot encoded). */
        void pickUp();
    }

    private final String model;
    private final int capacity;
    private final int maxDrain;
    private final Work work;
    private final BlockingQueue<Task> fast;
    private final BlockingQueue<Task> slow;
    private final Semaphore signal = new Semaphore(0);
    private final Thread thread;
    private volatile boolean accepting = true;

    WriterLoop(String model, int capacity, int maxDrain, Work work) {
        this.model = model;
        this.capacity = capacity;
        this.maxDrain = maxDrain;
        this.work = work;
        this.fast = new ArrayBlockingQueue<>(capacity);
        this.slow = new ArrayBlockingQueue<>(capacity);
        this.thread = new Thread(this::run, "vigie-model-" + model);
        thread.setDaemon(true);
    }

    void start() {
        thread.start();
    }

    /** A prediction or a read: served first. */
    <T> CompletableFuture<T> fast(Consumer<CompletableFuture<T>> task) {
        return submit(fast, false, task);
    }

    /**
     * A fast request served together with the requests of the same {@code run} (the same instance)
     * queued right behind it, in order.
     */
    <R, T> CompletableFuture<T> fastInRun(R request, Run<R, T> run) {
        return offer(fast, new Task(false, null, new CompletableFuture<T>(), run, request));
    }

    /** A label, a labelled event or a change; a barrier runs once everything before it is learned. */
    <T> CompletableFuture<T> slow(boolean barrier, Consumer<CompletableFuture<T>> task) {
        return submit(slow, barrier, task);
    }

    private <T> CompletableFuture<T> submit(BlockingQueue<Task> lane, boolean barrier, Consumer<CompletableFuture<T>> task) {
        CompletableFuture<T> future = new CompletableFuture<>();
        return offer(lane, new Task(barrier, () -> task.accept(future), future));
    }

    @SuppressWarnings("unchecked")
    private <T> CompletableFuture<T> offer(BlockingQueue<Task> lane, Task task) {
        CompletableFuture<T> future = (CompletableFuture<T>) task.future();
        if (!accepting) {
            future.completeExceptionally(ApiProblem.unavailable("stopping", "model '" + model + "' is shutting down or being deleted", 1));
            return future;
        }
        if (lane.offer(task)) {
            signal.release();
        } else {
            future.completeExceptionally(ApiProblem.busy("model '" + model + "' has " + capacity + " requests queued; retry shortly"));
        }
        return future;
    }

    /** Requests waiting in both lanes, for the queue-depth gauge. */
    int queued() {
        return fast.size() + slow.size();
    }

    /** Something finished elsewhere (a snapshot encoded): the loop looks again. */
    void wake() {
        signal.release();
    }

    /** Stops taking tasks, finishes those queued (their labels logged and learned), and waits for the thread. */
    void stop() throws InterruptedException {
        accepting = false;
        slow.put(new Task(false, null, null));
        signal.release();
        thread.join();
    }

    private void run() {
        List<Task> batch = new ArrayList<>(maxDrain);
        while (true) {
            work.pickUp();
            if (serveFast()) {
                continue;
            }
            if (work.waiting()) {
                await();
                continue;
            }
            if (work.learning()) {
                work.learnOne();
                continue;
            }
            slow.drainTo(batch, maxDrain);
            if (batch.isEmpty()) {
                await();
                continue;
            }
            for (Task task : batch) {
                if (task.work() == null) { // the poison pill: stop() was called
                    finishLearning();
                    serveFast();
                    return;
                }
                if (task.barrier()) {
                    work.batchStaged();
                    finishLearning();
                }
                execute(task);
            }
            batch.clear();
            work.batchStaged();
        }
    }

    /** Serves what the fast lane holds (at most a batch's worth); whether it served anything. */
    private boolean serveFast() {
        int served = 0;
        while (served < maxDrain) {
            Task task = fast.poll();
            if (task == null) {
                break;
            }
            served += task.run() == null ? execute(task) : serveRun(task, maxDrain - served);
        }
        return served > 0;
    }

    /** Serves a run's first task with the tasks of the same run right behind it (at most {@code max}); how many. */
    @SuppressWarnings("unchecked")
    private int serveRun(Task first, int max) {
        List<Member<Object, Object>> members = new ArrayList<>();
        members.add(member(first));
        for (Task next = fast.peek(); next != null && next.run() == first.run() && members.size() < max; next = fast.peek()) {
            fast.poll(); // this thread alone takes from the lane, so the task peeked is the task polled
            members.add(member(next));
        }
        guarded(() -> ((Run<Object, Object>) first.run()).serve(members), members.stream().map(Member::future).toList());
        return members.size();
    }

    @SuppressWarnings("unchecked")
    private static Member<Object, Object> member(Task task) {
        return new Member<>(task.request(), (CompletableFuture<Object>) task.future());
    }

    /** Learns everything logged so far, serving the fast lane between records and waiting out a freeze. */
    private void finishLearning() {
        while (work.learning() || work.waiting()) {
            work.pickUp();
            if (serveFast()) {
                continue;
            }
            if (work.waiting()) {
                await();
            } else {
                work.learnOne();
            }
        }
    }

    /** Runs a task; 1, the number served. */
    private int execute(Task task) {
        guarded(task.work(), List.of(task.future()));
        return 1;
    }

    /** Runs work; what it throws fails the {@code futures} it was to complete (an unexpected failure is logged too). */
    private void guarded(Runnable work, List<? extends CompletableFuture<?>> futures) {
        try {
            work.run();
        } catch (ApiProblem problem) {
            futures.forEach(f -> f.completeExceptionally(problem));
        } catch (RuntimeException | Error e) {
            LOG.error("model '{}': a task failed", model, e);
            futures.forEach(f -> f.completeExceptionally(e));
        }
    }

    private void await() {
        try {
            signal.acquire();
            signal.drainPermits(); // the loop looks at every lane next anyway
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
    }
}
