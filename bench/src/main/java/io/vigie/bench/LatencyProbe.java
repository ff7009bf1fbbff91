package io.vigie.bench;

import com.yahoo.labs.samoa.instances.Instance;
import io.vertx.core.buffer.Buffer;
import io.vertx.core.json.JsonObject;
import io.vigie.client.Operation;
import io.vigie.learner.Schema;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;

/**
 * One question at a time about the tail of single committee predictions: a committee trained on
 * Elec2's first 20,000 events is scored open loop at a fixed rate, alone and then with labelled
 * events streaming in and the analyst page reading; prints p50, p99 and p99.9 of each. Run it under
 * different JVM flags (a collector, {@code -Xlog:gc}) or service settings to find where the tail
 * comes from; {@code ./vigie bench --only service} is the published measurement.
 *
 * <pre>java [flags] -Dvigie.datasets=DIR -cp bench/target/benchmarks.jar io.vigie.bench.LatencyProbe [RATE [SECONDS [LABELS_PER_S [EVENT_LOOPS]]]]</pre>
 */
public final class LatencyProbe {
    private LatencyProbe() {
    }

    public static void main(String[] args) throws Exception {
        double rate = args.length > 0 ? Double.parseDouble(args[0]) : 2000;
        double seconds = args.length > 1 ? Double.parseDouble(args[1]) : 20;
        double labels = args.length > 2 ? Double.parseDouble(args[2]) : 1000;
        JsonObject config = args.length > 3 ? new JsonObject().put("event_loops", Integer.parseInt(args[3])) : new JsonObject();
        BenchData.Loaded elec2 = BenchData.elec2(Integer.MAX_VALUE);
        Schema schema = elec2.schema();
        Instance[] events = elec2.instances();
        int trained = 20_000;
        Path dataDir = Files.createTempDirectory("vigie-latency");
        try (BenchService service = new BenchService(dataDir, config)) {
            service.createModel("probe", "committee", schema);
            for (String body : ServiceBench.eventBatches(schema, events, 0, trained)) {
                service.call(Operation.POST_EVENTS, body, "probe");
            }
            List<Buffer> bodies = new ArrayList<>();
            for (int i = trained; i < events.length; i++) {
                bodies.add(new JsonObject().put("id", "p" + i).put("features", ServiceBench.features(schema, events[i])).toBuffer());
            }
            List<JsonObject> labelled = ServiceBench.labelledEvents(schema, events, trained);
            HttpLoad load = new HttpLoad(service.port(), BenchService.KEY, 64);
            String path = "/v1/models/probe/predict?replace=true";
            load.openLoop(path, bodies, 200, rate, Math.min(5, seconds)); // warm-up, not reported
            print("alone", load.openLoop(path, bodies, 200, rate, seconds));
            try (Background background = new Background(service.port(), BenchService.KEY, "probe", labelled, labels)) {
                load.openLoop(path, bodies, 200, rate, Math.min(10, seconds)); // the learning path warms up too, not reported
                print(String.format(Locale.ROOT, "labels %,.0f/s + page", labels), load.openLoop(path, bodies, 200, rate, seconds));
            }
        } finally {
            ServiceBench.deleteRecursively(dataDir);
        }
        System.exit(0);
    }

    private static void print(String background, HttpLoad.Latency l) {
        System.out.printf(Locale.ROOT, "%-22s %,7.0f req/s  p50 %,8d µs  p99 %,8d µs  p99.9 %,8d µs  errors %d%n", background,
                l.rate(), l.p50(), l.p99(), l.p999(), l.errors());
    }
}
