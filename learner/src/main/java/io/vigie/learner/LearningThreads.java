package io.vigie.learner;

import com.yahoo.labs.samoa.instances.Instance;

import java.util.List;
import java.util.concurrent.locks.LockSupport;
import java.util.concurrent.locks.ReentrantLock;

/**
 * The threads a committee's members learn on, for the whole process: with N threads a label's
 * learners are dealt into N groups by index, one learned on the caller's thread and the others
 * on N − 1 helpers, and the caller goes on once all have. The members are independent (each has
 * its own seed and state, and the helpers learn their own copy of the instance), so the model is
 * the same bit for bit whatever N is. One thread (the default) learns them in order on the
 * caller's.
 *
 * <p>A helper spins for its next task for {@value #SPIN_NANOS} ns after each, then parks: waking a
 * parked thread took 25 µs on the 2-core machine here, as long as an ARF member's learning of a
 * label, so a pool that parks between labels learned two such members in the time of two; a
 * spinning helper takes a task in under a microsecond. Labels come in runs (a batch, a topic), so
 * a helper spins while they come and sleeps between them.
 *
 * <p>Set at start ({@code learning_threads}, {@code vigie eval --threads}). The helpers are the
 * process's daemons, not a model's (MOA's ARF keeps a pool in the model, which breaks its
 * serialization), and are never stopped: fewer threads later leave the extra ones parked.
 */
public final class LearningThreads {
    static final long SPIN_NANOS = 200_000;

    /** Every helper started so far; the first {@code threads − 1} are in use (fewer threads leave the rest parked). */
    private static volatile Helper[] helpers = new Helper[0];
    private static volatile int threads = 1;
    /** Held by the caller the helpers work for. */
    private static final ReentrantLock IN_USE = new ReentrantLock();

    private LearningThreads() {
    }

    /** Members learn on {@code n} threads from now on (1: in order, on the caller's). */
    public static synchronized void use(int n) {
        if (n < 1) {
            throw new IllegalArgumentException("learning threads must be at least 1: " + n);
        }
        if (n - 1 > helpers.length) {
            Helper[] more = java.util.Arrays.copyOf(helpers, n - 1);
            for (int i = helpers.length; i < more.length; i++) {
                more[i] = new Helper(i + 1);
                more[i].start();
            }
            helpers = more;
        }
        threads = n;
    }

    /** The threads members learn on now. */
    public static int threads() {
        return threads;
    }

    /**
     * Each learner learns the instance, on the threads in use; returns once all have. The helpers
     * serve one caller at a time: a model whose writer finds them busy with another model's label
     * learns its own members in order, which gives the same model.
     */
    static void learnAll(List<Learner> learners, Instance labelled) {
        Helper[] pool = helpers;
        int groups = Math.min(Math.min(threads, pool.length + 1), learners.size());
        if (groups < 2 || !IN_USE.tryLock()) {
            learnGroup(learners, labelled, 0, 1);
            return;
        }
        try {
            for (int g = 1; g < groups; g++) {
                Instance copy = labelled.copy(); // copied here, before any member may touch the original
                int group = g;
                pool[g - 1].submit(() -> learnGroup(learners, copy, group, groups));
            }
            RuntimeException failure = null;
            try {
                learnGroup(learners, labelled, 0, groups);
            } catch (RuntimeException e) {
                failure = e;
            }
            for (int g = 1; g < groups; g++) { // every helper is done before the next label is dealt
                try {
                    pool[g - 1].await();
                } catch (RuntimeException e) {
                    if (failure == null) {
                        failure = e;
                    } else {
                        failure.addSuppressed(e);
                    }
                }
            }
            if (failure != null) {
                throw failure;
            }
        } finally {
            IN_USE.unlock();
        }
    }

    private static void learnGroup(List<Learner> learners, Instance labelled, int group, int groups) {
        for (int i = group; i < learners.size(); i += groups) {
            learners.get(i).learn(labelled);
        }
    }

    /** One helper thread: takes a task at a time, spinning between tasks before it parks. */
    private static final class Helper extends Thread {
        private volatile Runnable task;
        private volatile boolean done = true;
        private volatile boolean parked;
        private volatile RuntimeException failure;

        Helper(int index) {
            super("vigie-learning-" + index);
            setDaemon(true);
        }

        void submit(Runnable work) {
            done = false;
            task = work;
            if (parked) {
                LockSupport.unpark(this);
            }
        }

        /** Waits for the task submitted to end, spinning (it is a member's learning of one label), and passes on its failure. */
        void await() {
            while (!done) {
                Thread.onSpinWait();
            }
            RuntimeException e = failure;
            if (e != null) {
                failure = null;
                throw e;
            }
        }

        @Override
        public void run() {
            while (true) {
                Runnable work = next();
                try {
                    work.run();
                } catch (RuntimeException e) {
                    failure = e;
                } catch (Error e) {
                    failure = new LearnerException("a member failed to learn: " + e, e);
                } finally {
                    done = true;
                }
            }
        }

        /** The next task: spun for a while, then parked for. */
        private Runnable next() {
            long idleSince = System.nanoTime();
            Runnable work = task;
            while (work == null) {
                if (System.nanoTime() - idleSince < SPIN_NANOS) {
                    Thread.onSpinWait();
                } else {
                    parked = true;
                    if (task == null) { // a submit after this read sees parked, and unparks us
                        LockSupport.park(this);
                    }
                    parked = false;
                    idleSince = System.nanoTime();
                }
                work = task;
            }
            task = null;
            return work;
        }
    }
}
