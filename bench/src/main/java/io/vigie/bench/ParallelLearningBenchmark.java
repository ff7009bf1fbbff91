package io.vigie.bench;

import com.yahoo.labs.samoa.instances.Instance;
import io.vigie.learner.LearningThreads;
import io.vigie.learner.Model;
import io.vigie.learner.Prediction;
import org.openjdk.jmh.annotations.Benchmark;
import org.openjdk.jmh.annotations.BenchmarkMode;
import org.openjdk.jmh.annotations.Fork;
import org.openjdk.jmh.annotations.Level;
import org.openjdk.jmh.annotations.Measurement;
import org.openjdk.jmh.annotations.Mode;
import org.openjdk.jmh.annotations.OutputTimeUnit;
import org.openjdk.jmh.annotations.Param;
import org.openjdk.jmh.annotations.Scope;
import org.openjdk.jmh.annotations.Setup;
import org.openjdk.jmh.annotations.State;
import org.openjdk.jmh.annotations.Warmup;

import java.util.concurrent.TimeUnit;

/**
 * A committee of as many members as the machine has cores, learning on one thread and on as
 * many as it has members ({@link LearningThreads}), next to one of its members alone: the
 * committee's learning rate as a ratio to its slowest member's, in the same run. Elec2 after
 * 10,000 events, as {@link CommitteeBenchmark}.
 */
@State(Scope.Thread)
@BenchmarkMode(Mode.Throughput)
@OutputTimeUnit(TimeUnit.SECONDS)
@Fork(value = 1, jvmArgsAppend = "-Xmx4g")
@Warmup(iterations = 2, time = 2)
@Measurement(iterations = 4, time = 2)
public class ParallelLearningBenchmark {
    private static final int TRAIN = 10_000;

    /** A member alone, or the committee of two such members. */
    @Param({"arf", "committee -e arf,arf", "committee -e arf,arf -d none"})
    public String model;

    @Param({"1", "2"})
    public int threads;

    private BenchData.Loaded data;
    private Model subject;
    private Prediction lastPrediction;
    private int next;

    @Setup(Level.Trial)
    public void load() {
        data = BenchData.elec2(45_312);
        LearningThreads.use(threads);
    }

    @Setup(Level.Iteration)
    public void train() {
        subject = BenchData.trained(data, model, TRAIN);
        next = TRAIN;
        lastPrediction = subject.predict(data.schema().withoutLabel(data.instances()[next]));
    }

    /** Learns each event with one fixed earlier prediction, as {@link CommitteeBenchmark#learn}. */
    @Benchmark
    public Model learn() {
        Instance instance = data.instances()[next];
        next = next + 1 < data.instances().length ? next + 1 : TRAIN;
        subject.learn(instance, lastPrediction);
        return subject;
    }
}
