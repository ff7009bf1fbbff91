package io.vigie.server;

import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;
import org.apache.kafka.clients.producer.KafkaProducer;
import org.apache.kafka.clients.producer.ProducerConfig;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.apache.kafka.common.serialization.ByteArraySerializer;
import org.apache.kafka.common.serialization.StringSerializer;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Random;
import java.util.concurrent.TimeUnit;

import static io.vigie.server.TestService.expect;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * Three instances of one cluster, each in its own JVM, learn ten models from the feed while their
 * owners are killed with SIGKILL (one mid-batch and back at once, one later, one for good), a
 * fourth instance joins and one stops cleanly: nothing is lost and nothing learned twice, and every
 * model ends exactly as a single instance given the same stream.
 */
class ClusterCrashTest {
    private static final List<String> MODELS = List.of("k0", "k1", "k2", "k3", "k4", "k5", "k6", "k7", "k8", "k9");
    private static final int CHUNKS = 6;
    private static final int PER_CHUNK = 40;

    @TempDir
    Path dir;

    private final Map<String, ServiceProcess> live = new LinkedHashMap<>();
    private final List<ServiceProcess> started = new ArrayList<>();
    /** The instance that joined mid-stream, with an empty data dir. */
    private ServiceProcess joiner;

    @Test
    void killedOwners_aJoiner_andACleanStop_loseNothing_andEveryModelEndsAsOneInstanceWouldHaveLearnedIt() throws Exception {
        Random random = new Random(17);
        List<List<JsonObject>> chunks = new ArrayList<>(); // chunk k: event k*PER_CHUNK+i of every model, in turn
        for (int k = 0; k < CHUNKS; k++) {
            List<JsonObject> chunk = new ArrayList<>();
            for (int i = 0; i < PER_CHUNK; i++) {
                for (String model : MODELS) {
                    JsonObject f = ServiceApiTest.features(random);
                    chunk.add(new JsonObject().put("model", model).put("id", model + "-" + (k * PER_CHUNK + i)).put("features", f)
                            .put("label", ServiceApiTest.truth(f)));
                }
            }
            chunks.add(chunk);
        }
        JsonArray probes = new JsonArray();
        for (int i = 0; i < 100; i++) {
            probes.add(new JsonObject().put("id", "probe" + i).put("features", ServiceApiTest.features(random)));
        }
        try (KafkaBroker broker = new KafkaBroker(dir.resolve("kafka"));
             KafkaProducer<String, byte[]> producer = new KafkaProducer<>(Map.of(ProducerConfig.BOOTSTRAP_SERVERS_CONFIG,
                     broker.bootstrap(), ProducerConfig.ACKS_CONFIG, "all"), new StringSerializer(), new ByteArraySerializer())) {
            broker.createTopics("crash.transactions", "crash.labels", "crash.events", "crash.predictions", "crash.dead-letter",
                    "crash.drift");
            Path config = dir.resolve("cluster.json");
            Files.writeString(config, new JsonObject()
                    .put("kafka", new JsonObject().put("bootstrap", broker.bootstrap()).put("group", "crash")
                            .put("topics", new JsonObject().put("transactions", "crash.transactions").put("labels", "crash.labels")
                                    .put("events", "crash.events").put("predictions", "crash.predictions")
                                    .put("dead_letter", "crash.dead-letter").put("drift", "crash.drift")))
                    .put("cluster", new JsonObject().put("name", "crash").put("partitions", 6).put("session_timeout_ms", 6_000))
                    .put("snapshot_every", 50) // snapshots in Kafka all along: the joiner starts its models from them
                    .encode());
            for (String name : List.of("a", "b", "c")) {
                start(name, config);
            }
            for (String model : MODELS) {
                expect(201, send(any(), "POST", "/v1/models", ServiceApiTest.modelRequest(model, "hat")));
            }
            Prober prober = new Prober();
            prober.start();
            for (int k = 0; k < CHUNKS; k++) {
                for (JsonObject event : chunks.get(k)) {
                    JsonObject transaction = event.copy();
                    transaction.remove("label");
                    producer.send(new ProducerRecord<>("crash.transactions", event.getString("id"), bytes(transaction)));
                }
                producer.flush();
                switch (k) { // while the chunk's transactions are being scored
                    case 1 -> restart(kill(ownerOf("k0")), config); // back at once: it rejoins under its static id
                    case 2 -> joiner = start("d", config);
                    case 3 -> restart(kill(ownerOf("k1")), config);
                    case 4 -> terminate(ownerOf("k2")); // a clean stop: its models move at once
                    case 5 -> kill(ownerOf("k3")); // for good: its models move once its session times out
                    default -> { }
                }
                long scored = (long) (k + 1) * PER_CHUNK;
                for (String model : MODELS) { // its transactions are scored in order: once its last is stored, all are
                    String last = model + "-" + (scored - 1);
                    eventually(() -> stored(model, last), model + ": " + last + " scored");
                }
                for (JsonObject event : chunks.get(k)) {
                    producer.send(new ProducerRecord<>("crash.labels", event.getString("id"), bytes(new JsonObject()
                            .put("model", event.getString("model")).put("id", event.getString("id"))
                            .put("label", event.getString("label")))));
                }
                producer.flush();
                for (String model : MODELS) {
                    eventually(() -> count(model, "learned") == scored, model + ": " + scored + " learned");
                }
            }
            prober.finish();
            assertTrue(joiner.output().contains("from the cluster's snapshot"),
                    "the instance that joined started models from their snapshots in Kafka");
            System.out.println("predictions asked during the run: " + prober.answers + "; longest a model answered 503 in a row: "
                    + prober.longestUnavailableMillis + " ms");
            assertTrue(prober.unexpected.isEmpty(), "every prediction answered, or a 503 with Retry-After while its model "
                    + "moved: " + prober.unexpected);
            assertTrue(prober.answers.getOrDefault(200, 0) > 0, String.valueOf(prober.answers));
            try (TestService single = new TestService(dir.resolve("single"))) {
                for (String model : MODELS) {
                    expect(201, single.post("/v1/models", ServiceApiTest.modelRequest(model, "hat")));
                    for (List<JsonObject> chunk : chunks) {
                        JsonArray scores = new JsonArray();
                        JsonArray labels = new JsonArray();
                        chunk.stream().filter(e -> e.getString("model").equals(model)).forEach(e -> {
                            scores.add(new JsonObject().put("id", e.getString("id")).put("features", e.getJsonObject("features")));
                            labels.add(new JsonObject().put("id", e.getString("id")).put("label", e.getString("label")));
                        });
                        expect(200, single.post("/v1/models/" + model + "/predict/batch", new JsonObject().put("events", scores)));
                        expect(202, single.post("/v1/models/" + model + "/labels", new JsonObject().put("labels", labels)));
                    }
                    JsonObject state = expect(200, send(any(), "GET", "/v1/models/" + model, null));
                    assertEquals(0, state.getJsonObject("labels").getLong("unknown_id"), model + ": every label found its event");
                    assertEquals(0, state.getJsonObject("labels").getLong("duplicate"), model);
                    assertEquals(expect(200, single.get("/v1/models/" + model)).getLong("version"), state.getLong("version"),
                            model + ": one log record per label, none twice");
                    JsonArray clustered = expect(200, send(any(), "POST", "/v1/models/" + model + "/predict/batch",
                            new JsonObject().put("events", probes))).getJsonArray("predictions");
                    JsonArray alone = expect(200, single.post("/v1/models/" + model + "/predict/batch",
                            new JsonObject().put("events", probes))).getJsonArray("predictions");
                    for (int i = 0; i < probes.size(); i++) {
                        assertEquals(alone.getJsonObject(i).getJsonObject("probabilities"),
                                clustered.getJsonObject(i).getJsonObject("probabilities"), model + ", probe " + i);
                    }
                }
            }
        } catch (AssertionError e) {
            for (ServiceProcess service : started) { // what each instance said, for whoever reads the failure
                List<String> said = service.output().lines()
                        .filter(line -> !line.contains("NetworkClient") && !line.contains("] Sender - ")).toList();
                System.err.println("---- instance on port " + service.port() + " ----\n"
                        + String.join("\n", said.subList(Math.max(0, said.size() - 150), said.size())));
            }
            for (String model : MODELS) {
                try {
                    System.err.println(model + ": " + send(any(), "GET", "/v1/models/" + model, null).body());
                } catch (Exception ignored) {
                    // the state is a help to the reader, not the test
                }
            }
            throw e;
        } finally {
            for (ServiceProcess service : started) {
                service.close();
            }
        }
    }

    /**
     * Asks a live instance for a prediction of each model in turn, all through the run: each is
     * answered, or a 503 with Retry-After while the model moves; how long a model goes without an
     * answer is measured. A refused connection is an instance just killed, not an answer.
     */
    private final class Prober extends Thread {
        final Map<Integer, Integer> answers = new java.util.TreeMap<>();
        final List<String> unexpected = new ArrayList<>();
        long longestUnavailableMillis;
        private volatile boolean running = true;

        @Override
        public void run() {
            Map<String, Long> unavailableSince = new java.util.HashMap<>();
            Random random = new Random(99);
            for (int i = 0; running; i++) {
                String model = MODELS.get(i % MODELS.size());
                ServiceProcess instance;
                synchronized (live) {
                    instance = live.isEmpty() ? null : live.values().iterator().next();
                }
                if (instance == null) {
                    continue;
                }
                try {
                    HttpResponse<String> answer = send(instance, "POST", "/v1/models/" + model + "/predict", new JsonObject()
                            .put("id", "probe-" + i).put("features", ServiceApiTest.features(random)));
                    int status = answer.statusCode();
                    answers.merge(status, 1, Integer::sum);
                    long now = System.nanoTime();
                    if (status == 200) {
                        Long since = unavailableSince.remove(model);
                        if (since != null) {
                            longestUnavailableMillis = Math.max(longestUnavailableMillis, (now - since) / 1_000_000);
                        }
                    } else if (status == 503 && answer.headers().firstValue("Retry-After").isPresent()) {
                        unavailableSince.putIfAbsent(model, now);
                    } else {
                        unexpected.add(status + " " + answer.body());
                    }
                    Thread.sleep(5); // a steady trickle, not a load test
                } catch (java.io.IOException e) {
                    // the instance was killed as we asked it
                } catch (InterruptedException e) {
                    return;
                } catch (Exception e) {
                    unexpected.add(e.toString());
                }
            }
        }

        void finish() throws InterruptedException {
            running = false;
            join(30_000);
        }
    }

    private ServiceProcess start(String name, Path config) throws Exception {
        ServiceProcess service = new ServiceProcess(dir.resolve(name), config);
        started.add(service);
        synchronized (live) {
            live.put(name, service);
        }
        return service;
    }

    private void restart(String name, Path config) throws Exception {
        start(name, config);
    }

    /** SIGKILL; returns the instance's name. */
    private String kill(String name) throws InterruptedException {
        ServiceProcess service;
        synchronized (live) {
            service = live.remove(name);
        }
        service.kill();
        return name;
    }

    private void terminate(String name) throws InterruptedException {
        ServiceProcess service;
        synchronized (live) {
            service = live.remove(name);
        }
        assertEquals(143, service.terminate(), name + ": SIGTERM (128 + 15, after the shutdown hooks)");
        assertTrue(service.output().contains("Vigie stopped: models drained and snapshotted"), name + " stopped cleanly");
    }

    /** The name of the live instance that owns the model now. */
    private String ownerOf(String model) throws Exception {
        String[] owner = new String[1];
        eventually(() -> {
            try {
                HttpResponse<String> answer = send(any(), "GET", "/v1/models/" + model, null);
                owner[0] = answer.statusCode() == 200 ? new JsonObject(answer.body()).getString("owner") : null;
            } catch (Exception e) {
                owner[0] = null;
            }
            return owner[0] != null;
        }, model + " has an owner");
        Map<String, ServiceProcess> now;
        synchronized (live) {
            now = Map.copyOf(live);
        }
        for (Map.Entry<String, ServiceProcess> instance : now.entrySet()) {
            if (owner[0].equals("127.0.0.1:" + instance.getValue().port())) {
                return instance.getKey();
            }
        }
        throw new AssertionError(model + " is owned by " + owner[0] + ", which is not a live instance");
    }

    private ServiceProcess any() {
        synchronized (live) {
            return live.values().iterator().next();
        }
    }

    /** Whether the model's owner has stored the scoring of an event (its label can then be joined). */
    private boolean stored(String model, String id) {
        try {
            return send(any(), "GET", "/v1/models/" + model + "/predictions/" + id, null).statusCode() == 200;
        } catch (Exception e) {
            return false;
        }
    }

    /** A model's predictions or labels learned, as its owner says through any live instance; -1 while it moves. */
    private long count(String model, String what) {
        try {
            HttpResponse<String> answer = send(any(), "GET", "/v1/models/" + model, null);
            if (answer.statusCode() != 200) {
                return -1;
            }
            JsonObject state = new JsonObject(answer.body());
            return what.equals("learned") ? state.getJsonObject("labels").getLong("learned") : state.getLong(what);
        } catch (Exception e) {
            return -1;
        }
    }

    private static byte[] bytes(JsonObject json) {
        return json.encode().getBytes(StandardCharsets.UTF_8);
    }

    /** Polls a condition until it holds, for at most 120 s (models move when sessions time out and instances start). */
    private static void eventually(java.util.function.BooleanSupplier condition, String what) throws InterruptedException {
        long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(120);
        while (!condition.getAsBoolean()) {
            assertTrue(System.nanoTime() < deadline, "not within 120 s: " + what);
            Thread.sleep(20); // polling interval, not synchronisation: the condition decides
        }
    }

    private HttpResponse<String> send(ServiceProcess service, String method, String path, JsonObject body) throws Exception {
        return service.send(method, path, body);
    }
}
