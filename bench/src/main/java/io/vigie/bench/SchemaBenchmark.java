package io.vigie.bench;

import com.yahoo.labs.samoa.instances.Instance;
import io.vigie.learner.Feature;
import io.vigie.learner.Schema;
import org.openjdk.jmh.annotations.Benchmark;
import org.openjdk.jmh.annotations.BenchmarkMode;
import org.openjdk.jmh.annotations.Fork;
import org.openjdk.jmh.annotations.Measurement;
import org.openjdk.jmh.annotations.Mode;
import org.openjdk.jmh.annotations.OutputTimeUnit;
import org.openjdk.jmh.annotations.Scope;
import org.openjdk.jmh.annotations.Setup;
import org.openjdk.jmh.annotations.State;
import org.openjdk.jmh.annotations.Warmup;

import java.util.HashMap;
import java.util.Map;
import java.util.concurrent.TimeUnit;

/**
 * Converting a service request's feature map into an MOA instance ({@link Schema#toInstance}),
 * for Elec2's schema (one nominal and seven numeric features), over its first 10,000 events.
 *
 * <pre>java -jar bench/target/benchmarks.jar SchemaBenchmark -Dvigie.datasets=../shared/datasets</pre>
 */
@State(Scope.Thread)
@BenchmarkMode(Mode.Throughput)
@OutputTimeUnit(TimeUnit.SECONDS)
@Fork(value = 1, jvmArgsAppend = "-Xmx1g")
@Warmup(iterations = 3, time = 2)
@Measurement(iterations = 5, time = 2)
public class SchemaBenchmark {
    private Schema schema;
    private Map<String, Object>[] requests;
    private int next;

    @Setup
    @SuppressWarnings("unchecked")
    public void load() {
        BenchData.Loaded data = BenchData.elec2(10_000);
        schema = data.schema();
        requests = new Map[data.instances().length];
        for (int i = 0; i < requests.length; i++) {
            Instance instance = data.instances()[i];
            Map<String, Object> request = new HashMap<>();
            for (int f = 0; f < schema.features().size(); f++) {
                Feature feature = schema.features().get(f);
                double value = instance.value(f);
                request.put(feature.name(), feature.isNominal() ? feature.values().get((int) value) : (Object) value);
            }
            requests[i] = request;
        }
    }

    @Benchmark
    public Instance toInstance() {
        Instance instance = schema.toInstance(requests[next]);
        next = next + 1 < requests.length ? next + 1 : 0;
        return instance;
    }
}
