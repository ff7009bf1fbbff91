package io.vigie.datasets.cli;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import io.vigie.client.VigieClient;
import io.vigie.client.VigieException;
import io.vigie.datasets.Streams;
import io.vigie.learner.EventStream;
import io.vigie.learner.Feature;
import io.vigie.learner.LabelledEvent;
import io.vigie.learner.LearnerException;
import io.vigie.learner.ModelSpec;
import io.vigie.learner.Schema;
import io.vigie.learner.eval.LabelDelay;

import java.io.IOException;
import java.io.PrintStream;
import java.io.UncheckedIOException;
import java.net.ConnectException;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Set;

/**
 * {@code vigie replay}: streams a dataset through a running service as a fraud platform and a
 * label feed would: events are scored in batches, and each event's label is posted once
 * {@code --delay} later events have been scored. Ends with the service's own account of how the
 * model did.
 *
 * <p>Before the batch of events s..s+B−1 is scored, the labels of events up to s − max(K, 1)
 * are delivered. With {@code --batch 1} the model scoring event t has learned events 1..t − K,
 * the same as {@code vigie eval --delay K}; larger batches are faster and delay labels by up to
 * B − 1 more events.
 */
final class ReplayCommand {
    static final String USAGE = """
            vigie replay --data FILE [--url http://127.0.0.1:8080] [--key KEY] [--name NAME] [--model M] [--delay K] [--batch B]
              --data FILE          .arff or .csv, optionally .gz (the class is the last column, or --class COL)
              --url URL            the service (default: http://127.0.0.1:8080)
              --key KEY            an API key with the admin role (default: $VIGIE_KEY)
              --name NAME          the model to create (default: the file name)
              --model M            preset or MOA classifier CLI string (default: committee)
              --seed S             random seed of the model (default: 1)
              --delay D            each label is posted after D more events were scored (default: 1000), or once the
                                   events' time has moved on by a span, 7d, 12h (with --features fraud)
              --batch B            events per predict request (default: 100; 1 reproduces vigie eval exactly)
              --limit N            replay the first N events only
              --target-coverage C  coverage of the prediction sets (default: 0.9)
              --challengers A,B    shadow challengers, each a preset named after itself (e.g. arf,nb), with the
                                   model's seed; the summary compares them with the champion
              --kafka HOST:PORT    score and label through Kafka instead of HTTP: transactions and labels go to
                                   the service's topics, predictions are read from its predictions topic (the
                                   model is still created, and the summary read, over HTTP)
              --topics PREFIX      the service's topic names, PREFIX.transactions etc. (default: vigie)
              --features fraud     the Fraud-Detection Handbook stream, posted raw (amount, calendar, card and terminal
                                   keys, time): the model declares the card and terminal windows as aggregates and the
                                   service computes them, as vigie eval --features fraud does offline
              --json               print, as the last line, the figures vigie eval --json gives, computed from the
                                   service's answers: accuracy, roc_auc, pr_auc (and card_precision_at_100 with --features)
              --period FROM,TO     with --json, also those figures over days FROM..TO, as vigie eval --period
            """;
    private static final List<String> VALUED = List.of("data", "url", "key", "name", "model", "seed", "delay", "batch",
            "limit", "class", "target-coverage", "kafka", "topics", "challengers", "features", "period");
    private static final int MAX_LABEL_BATCH = 1000;

    private final PrintStream out;
    private final PrintStream err;
    private final ObjectMapper json = new ObjectMapper();
    private VigieClient vigie;
    private KafkaFeed kafka;
    private long labelsSent;

    ReplayCommand(PrintStream out, PrintStream err) {
        this.out = out;
        this.err = err;
    }

    int run(String[] argv) throws IOException, InterruptedException {
        Args args = new Args(argv, VALUED, List.of("json"));
        String data = args.require("data");
        String url = args.get("url", "http://127.0.0.1:8080");
        String key = args.get("key", System.getenv("VIGIE_KEY"));
        if (key == null) {
            throw new Args.UsageException("--key (or VIGIE_KEY) is required: an API key with the admin role");
        }
        String name = args.get("name", defaultName(data));
        LabelDelay delay = LabelDelay.parse(args.get("delay", "1000"));
        long batch = args.getLong("batch", 100);
        long limit = args.getLong("limit", -1);
        if (batch < 1 || batch > MAX_LABEL_BATCH) {
            throw new Args.UsageException("--batch must be between 1 and " + MAX_LABEL_BATCH);
        }
        boolean fraud = "fraud".equals(args.get("features", null));
        if (args.get("features", null) != null && !fraud) {
            throw new Args.UsageException("unknown --features '" + args.get("features", null) + "', valid: fraud");
        }
        if (delay.needsTime() && !fraud) {
            throw new Args.UsageException("a delay in time (" + delay + ") needs event times: use --features fraud");
        }
        Duration feedback = delay instanceof LabelDelay.Time time ? time.span() : Duration.ofDays(7);
        vigie = new VigieClient(url, key);
        if (args.get("kafka", null) != null) {
            kafka = new KafkaFeed(args.get("kafka", null), args.get("topics", "vigie"), json);
        }
        try (EventStream stream = fraud ? Streams.fraud(data, feedback, limit) : Streams.open(data, args.get("class", null), null, Set.of(), limit);
             FraudFeed feed = fraud ? new FraudFeed(Path.of(data), json) : null) {
            Schema schema = stream.schema();
            ObjectNode create = json.createObjectNode().put("name", name).put("model", args.get("model", "committee"))
                    .put("seed", args.getLong("seed", ModelSpec.DEFAULT_SEED));
            create.set("schema", schema(schema));
            if (feed != null) {
                feed.definition(create, feedback);
            }
            ReplayFigures figures = new ReplayFigures(schema, args.get("period", null) == null ? null
                    : EvalCommand.period(args.get("period", null)));
            if (args.get("target-coverage", null) != null) {
                create.putObject("abstention").put("target_coverage", Double.parseDouble(args.get("target-coverage", null)));
            }
            vigie.createModel(create);
            out.printf(Locale.ROOT, "Created model '%s' (%s) on %s%n", name, args.get("model", "committee"), vigie.url());
            for (String challenger : challengers(args.get("challengers", ""))) {
                vigie.addChallenger(name, json.createObjectNode().put("name", challenger)
                        .put("model", challenger).put("seed", args.getLong("seed", ModelSpec.DEFAULT_SEED)));
                out.printf(Locale.ROOT, "Added shadow challenger '%s'%n", challenger);
            }

            boolean showProgress = Boolean.getBoolean("vigie.progress");
            ProgressBar progress = showProgress ? new ProgressBar(err) : null;
            long expected = limit > 0 ? limit : -1;
            ArrayDeque<Object[]> waiting = new ArrayDeque<>(); // {index, label, time} in scoring order
            long scored = 0;
            long abstained = 0;
            long started = System.nanoTime();
            List<LabelledEvent> chunk = new ArrayList<>();
            while (stream.hasNext()) {
                chunk.clear();
                while (chunk.size() < batch && stream.hasNext()) {
                    chunk.add(stream.next());
                }
                deliverLabels(name, waiting, delay, scored + 1, chunk.get(0).timeMillis());
                ArrayNode events = json.createArrayNode();
                for (LabelledEvent event : chunk) {
                    scored++;
                    if (feed != null) {
                        double[] v = event.instance().toDoubleArray();
                        events.add(feed.event(name + "-" + scored, v[0], v[1], v[2], v[3], event.timeMillis()));
                    } else {
                        ObjectNode e = events.addObject().put("id", name + "-" + scored);
                        e.set("features", features(schema, event.instance().toDoubleArray()));
                    }
                    waiting.add(new Object[]{scored, schema.classes().get((int) event.instance().classValue()), event.timeMillis()});
                }
                JsonNode predictions = kafka != null ? kafka.predict(name, events) : vigie.predictBatch(name, events);
                int i = 0;
                for (JsonNode p : predictions) {
                    abstained += p.get("abstain").asBoolean() ? 1 : 0;
                    figures.add(p, chunk.get(i++));
                }
                if (progress != null) {
                    progress.update(scored, expected > 0 ? (double) scored / expected : -1);
                }
            }
            deliverLabels(name, waiting, null, Long.MAX_VALUE, Long.MAX_VALUE); // the feed delivers the last labels too
            double seconds = (System.nanoTime() - started) / 1e9;
            if (progress != null) {
                progress.update(scored, 1.0);
            }
            summary(name, scored, abstained, seconds);
            if (args.flag("json")) {
                out.println(json.writeValueAsString(figures.json(json.createObjectNode().put("model", args.get("model", "committee"))
                        .put("data", Path.of(data).getFileName().toString()).put("delay", delay.toString()))));
            }
        } catch (UncheckedIOException e) {
            if (e.getCause() instanceof ConnectException) {
                throw new LearnerException("cannot reach the service at " + vigie.url() + " (is ./vigie serve running?)");
            }
            throw e;
        } catch (VigieException e) {
            throw new LearnerException(e.getMessage());
        } finally {
            if (kafka != null) {
                kafka.close();
            }
        }
        return 0;
    }

    /**
     * Posts the labels due when event {@code nowIndex} (at {@code nowTime}) is about to be scored;
     * a null delay posts them all. A timed stream's labels say when they were known: the time of
     * the event about to be scored (their event's, at the end).
     */
    private void deliverLabels(String name, ArrayDeque<Object[]> waiting, LabelDelay delay, long nowIndex, long nowTime)
            throws IOException, InterruptedException {
        while (!waiting.isEmpty() && due(waiting.peek(), delay, nowIndex, nowTime)) {
            ArrayNode labels = json.createArrayNode();
            while (!waiting.isEmpty() && due(waiting.peek(), delay, nowIndex, nowTime) && labels.size() < MAX_LABEL_BATCH) {
                Object[] next = waiting.poll();
                ObjectNode label = labels.addObject().put("id", name + "-" + next[0]).put("label", (String) next[1]);
                long eventTime = (long) next[2];
                if (eventTime != LabelledEvent.NO_TIME) {
                    label.put("time", java.time.Instant.ofEpochMilli(delay == null ? eventTime : nowTime).toString());
                }
            }
            if (kafka != null) {
                kafka.label(name, labels);
                labelsSent += labels.size();
                awaitLearned(name, labelsSent);
                continue;
            }
            JsonNode answer = vigie.postLabels(name, labels);
            if (answer.get("learned").asInt() != labels.size()) {
                throw new LearnerException("the service learned " + answer.get("learned").asInt() + " of " + labels.size()
                        + " labels: " + answer);
            }
        }
    }

    private static boolean due(Object[] waiting, LabelDelay delay, long nowIndex, long nowTime) {
        // an event delay of 0 is 1 here: the label of the event just scored comes before the next one
        return delay == null || delay.isDue((long) waiting[0], (long) waiting[2], nowIndex, nowTime)
                && (long) waiting[0] < nowIndex;
    }

    /**
     * Labels sent through Kafka are learned asynchronously: wait until the model has learned them
     * all. Reads the model list, whose summaries are cheap, not the model's full state.
     */
    private void awaitLearned(String name, long expected) throws IOException, InterruptedException {
        long deadline = System.nanoTime() + Duration.ofMinutes(2).toNanos();
        long learned;
        while ((learned = learned(name)) < expected) {
            if (System.nanoTime() > deadline) {
                throw new LearnerException("the service learned " + learned + " of the " + expected + " labels sent through Kafka");
            }
            Thread.sleep(5); // polling interval: the model's count decides
        }
    }

    private long learned(String name) throws IOException, InterruptedException {
        for (JsonNode model : vigie.listModels()) {
            if (model.get("name").asText().equals(name)) {
                return model.get("learned").asLong();
            }
        }
        throw new LearnerException("the model '" + name + "' is gone from the service");
    }

    private void summary(String name, long events, long abstained, double seconds) throws IOException, InterruptedException {
        JsonNode model = vigie.getModel(name);
        JsonNode m = model.get("metrics").get("cumulative");
        out.printf(Locale.ROOT, "%nReplayed %,d events in %.1f s: %,.0f events/s (each scored, then labelled)%n",
                events, seconds, events / seconds);
        out.printf(Locale.ROOT, "Model '%s': version %d, learned %,d, pending %,d, drift resets %d%n", name,
                model.get("version").asLong(), model.get("learned").asLong(), model.get("pending").asLong(),
                model.get("drift_resets").asLong());
        out.printf(Locale.ROOT, "  accuracy %s   kappa %s   coverage %s   abstention rate %s   selective accuracy %s%n",
                pct(m.get("accuracy")), fixed(m.get("kappa")), pct(m.get("coverage")), pct(m.get("abstention_rate")),
                pct(m.get("selective_accuracy")));
        out.printf(Locale.ROOT, "  (abstained on %,d of %,d answers at scoring time)%n", abstained, events);
        for (JsonNode c : vigie.getComparison(name).get("challengers")) {
            JsonNode champion = c.get("champion").get("whole");
            JsonNode challenger = c.get("challenger").get("whole");
            out.printf(Locale.ROOT, "Challenger '%s' on the same %,d events: accuracy %s (champion %s), kappa %s (%s), McNemar p = %.3g%n",
                    c.get("name").asText(), c.get("events").asLong(), pct(challenger.get("accuracy")), pct(champion.get("accuracy")),
                    fixed(challenger.get("kappa")), fixed(champion.get("kappa")), c.get("mcnemar").get("p_value").asDouble());
        }
        JsonNode input = vigie.getDrifts(name).get("input");
        java.util.Map<String, java.util.Set<String>> bySeverity = new java.util.TreeMap<>();
        for (JsonNode alert : input.get("alerts")) {
            bySeverity.computeIfAbsent(alert.get("severity").asText(), k -> new java.util.TreeSet<>()).add(alert.get("channel").asText());
        }
        out.printf(Locale.ROOT, "Input drift, no label needed (%,d windows of %,d events):%s%n", input.get("checks").asLong(),
                input.get("window").asLong(), bySeverity.isEmpty() ? " nothing at warning or above" : "");
        bySeverity.forEach((severity, channels) -> out.printf(Locale.ROOT, "  %s on %s%n", severity, String.join(", ", channels)));
        out.printf(Locale.ROOT, "Look further (Authorization: Bearer <key>):%n");
        for (String path : List.of("/v1/models/" + name, "/v1/models/" + name + "/timeline", "/v1/models/" + name + "/drifts",
                "/v1/models/" + name + "/versions", "/v1/models/" + name + "/predictions/" + name + "-" + events)) {
            out.println("  GET " + vigie.url() + path);
        }
        out.println("  GET " + vigie.url() + "/metrics   (Prometheus, no key)");
        out.println("  " + vigie.url() + "/   (the analyst page in a browser; type the key)");
    }

    private static List<String> challengers(String list) {
        return java.util.Arrays.stream(list.split(",")).map(String::strip).filter(c -> !c.isEmpty()).toList();
    }

    private static String pct(JsonNode value) {
        return value == null || value.isNull() ? "n/a" : String.format(Locale.ROOT, "%.2f%%", value.asDouble() * 100);
    }

    private static String fixed(JsonNode value) {
        return value == null || value.isNull() ? "n/a" : String.format(Locale.ROOT, "%.4f", value.asDouble());
    }

    private ObjectNode schema(Schema schema) {
        ObjectNode node = json.createObjectNode();
        ArrayNode features = node.putArray("features");
        for (Feature f : schema.features()) {
            ObjectNode feature = features.addObject().put("name", f.name()).put("type", f.isNominal() ? "nominal" : "numeric");
            if (f.isNominal()) {
                ArrayNode values = feature.putArray("values");
                f.values().forEach(values::add);
            }
            if (f.optional()) {
                feature.put("optional", true);
            }
        }
        ArrayNode classes = node.putArray("classes");
        schema.classes().forEach(classes::add);
        return node;
    }

    private ObjectNode features(Schema schema, double[] values) {
        ObjectNode node = json.createObjectNode();
        for (Map.Entry<String, Object> f : schema.namedValues(values).entrySet()) {
            if (f.getValue() == null) {
                node.putNull(f.getKey());
            } else if (f.getValue() instanceof Double d) {
                node.put(f.getKey(), d);
            } else {
                node.put(f.getKey(), (String) f.getValue());
            }
        }
        return node;
    }

    private static String defaultName(String data) {
        String file = Path.of(data).getFileName().toString().toLowerCase(Locale.ROOT);
        String base = file.replaceAll("\\.(arff|csv)(\\.gz)?$", "").replaceAll("[^a-z0-9._-]", "-");
        return base.isEmpty() ? "replay" : base;
    }
}
