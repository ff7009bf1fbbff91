package io.vigie.bench;

import com.yahoo.labs.samoa.instances.Instance;
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
 * The committee's predict (with uncertainty and its conformal set) and learn, next to each of its
 * experts alone through the same {@link Model}, on Elec2 after 10,000 events: the committee's cost
 * is read as a ratio to its slowest member in the same run.
 *
 * <pre>java -Dvigie.datasets=../shared/datasets -jar bench/target/benchmarks.jar CommitteeBenchmark</pre>
 */
@State(Scope.Thread)
@BenchmarkMode(Mode.Throughput)
@OutputTimeUnit(TimeUnit.SECONDS)
@Fork(value = 1, jvmArgsAppend = "-Xmx4g")
@Warmup(iterations = 2, time = 2)
@Measurement(iterations = 4, time = 2)
public class CommitteeBenchmark {
    private static final int TRAIN = 10_000;

    @Param({"committee", "hat", "arf", "arf25", "levbag", "nb", "nochange", "patches"})
    public String model;

    private BenchData.Loaded data;
    private Model subject;
    private Prediction lastPrediction;
    private int next;

    @Setup(Level.Trial)
    public void load() {
        data = BenchData.elec2(45_312);
    }

    @Setup(Level.Iteration)
    public void train() {
        subject = BenchData.trained(data, model, TRAIN);
        next = TRAIN;
        lastPrediction = subject.predict(data.schema().withoutLabel(data.instances()[next]));
    }

    private Instance nextInstance() {
        Instance instance = data.instances()[next];
        next = next + 1 < data.instances().length ? next + 1 : TRAIN;
        return instance;
    }

    @Benchmark
    public Prediction predict() {
        return subject.predict(nextInstance());
    }

    /**
     * Learns each event, handing over one fixed earlier prediction in place of the event's own
     * (predicting first would time predict too): this measures what learning costs, not how the
     * weights fare.
     */
    @Benchmark
    public Model learn() {
        Instance instance = nextInstance();
        subject.learn(instance, lastPrediction);
        return subject;
    }
}
