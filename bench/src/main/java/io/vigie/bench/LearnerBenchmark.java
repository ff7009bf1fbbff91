package io.vigie.bench;

import com.yahoo.labs.samoa.instances.Instance;
import io.vigie.learner.ClassProbabilities;
import io.vigie.learner.Learner;
import io.vigie.learner.Learners;
import io.vigie.learner.ModelSpec;
import moa.classifiers.Classifier;
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
 * Predict and learn through Vigie's {@link Learner} next to the same MOA classifier called raw,
 * on Elec2, so the wrapper's cost is a ratio measured in one run. Each iteration starts from a
 * model trained on the first 10,000 events, then predicts or learns the next ones in order.
 *
 * <pre>java -jar bench/target/benchmarks.jar LearnerBenchmark -Dvigie.datasets=../shared/datasets</pre>
 */
@State(Scope.Thread)
@BenchmarkMode(Mode.Throughput)
@OutputTimeUnit(TimeUnit.SECONDS)
@Fork(value = 1, jvmArgsAppend = "-Xmx2g")
@Warmup(iterations = 3, time = 2)
@Measurement(iterations = 5, time = 2)
public class LearnerBenchmark {
    private static final int TRAIN = 10_000;

    @Param({"hat", "arf"})
    public String preset;

    private BenchData.Loaded data;
    private Learner vigie;
    private Classifier raw;
    private int next;

    @Setup(Level.Trial)
    public void load() {
        data = BenchData.elec2(45_312);
    }

    @Setup(Level.Iteration)
    public void train() {
        ModelSpec spec = ModelSpec.of(preset);
        vigie = Learners.create(spec, data.schema());
        raw = BenchData.rawMoa(spec.moaCli(), spec.seed(), data.schema());
        for (int i = 0; i < TRAIN; i++) {
            vigie.learn(data.instances()[i]);
            raw.trainOnInstance(data.instances()[i]);
        }
        next = TRAIN;
    }

    private Instance nextInstance() {
        Instance instance = data.instances()[next];
        next = next + 1 < data.instances().length ? next + 1 : TRAIN;
        return instance;
    }

    @Benchmark
    public ClassProbabilities vigiePredict() {
        return vigie.predictProba(nextInstance());
    }

    @Benchmark
    public double[] moaPredict() {
        return raw.getVotesForInstance(nextInstance());
    }

    @Benchmark
    public Learner vigieLearn() {
        vigie.learn(nextInstance());
        return vigie;
    }

    @Benchmark
    public Classifier moaLearn() {
        raw.trainOnInstance(nextInstance());
        return raw;
    }
}
