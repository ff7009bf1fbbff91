package io.vigie.server;

import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;
import org.apache.kafka.clients.producer.KafkaProducer;
import org.apache.kafka.clients.producer.ProducerConfig;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.apache.kafka.common.serialization.ByteArraySerializer;
import org.apache.kafka.common.serialization.StringSerializer;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Random;
import java.util.concurrent.TimeUnit;
import java.util.function.LongSupplier;

import static io.vigie.server.TestService.expect;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * Faults around Kafka ingestion, with a real broker: the service killed with SIGKILL mid-stream
 * and restarted, and the broker itself killed and restarted mid-stream. Either way every labelled
 * event is learned exactly once and the model equals one that was fed without interruption.
 */
class KafkaCrashTest {
    private static final int EVENTS = 8_000;
    private static final String MODEL = "hat";

    @TempDir
    Path dir;


    @Test
    void killNineMidStream_learnsEveryRecordExactlyOnce() throws Exception {
        List<JsonObject> events = events(new Random(21));
        JsonArray probes = probes(new Random(22));
        try (KafkaBroker broker = new KafkaBroker(dir.resolve("kafka"))) {
            broker.createTopics("crash.transactions", "crash.labels", "crash.events", "crash.predictions", "crash.dead-letter");
            Path config = Files.writeString(dir.resolve("config.json"), new JsonObject().put("snapshot_every", 1500)
                    .put("kafka", new JsonObject().put("bootstrap", broker.bootstrap()).put("group", "crash").put("max_poll_records", 100)
                            .put("topics", new JsonObject().put("transactions", "crash.transactions").put("labels", "crash.labels")
                                    .put("events", "crash.events").put("predictions", "crash.predictions")
                                    .put("dead_letter", "crash.dead-letter"))).encode());
            ServiceProcess service = start(config);
            expect(201, send(service, "POST", "/v1/models", ServiceApiTest.modelRequest("cards", MODEL)));
            produce(broker, "crash.events", events);

            int kills = 0;
            for (long killAt : new long[]{1_000, 3_000, 5_500}) {
                ServiceProcess running = service;
                eventually(() -> learned(running), killAt);
                service.kill();
                kills++;
                service = start(config);
            }
            ServiceProcess last = service;
            eventually(() -> learned(last), EVENTS);
            JsonObject model = expect(200, send(service, "GET", "/v1/models/cards", null));
            assertEquals(EVENTS, model.getLong("learned"), "every record learned");
            assertEquals(EVENTS, model.getLong("version"), "one log record per record: none learned twice");
            JsonObject afterCrashes = expect(200, send(service, "POST", "/v1/models/cards/predict/batch",
                    new JsonObject().put("events", probes)));
            assertEquals(3, kills);
            assertEquals(uninterrupted(events, probes), afterCrashes, "the model equals one fed without interruption");
        }
    }

    private final List<ServiceProcess> started = new ArrayList<>();

    private ServiceProcess start(Path config) throws Exception {
        ServiceProcess service = new ServiceProcess(dir.resolve("data"), config);
        started.add(service);
        return service;
    }

    @AfterEach
    void killServices() throws InterruptedException {
        for (ServiceProcess service : started) {
            service.kill();
        }
    }

    @Test
    void brokerRestartMidStream_theServiceWaitsAndResumes() throws Exception {
        List<JsonObject> events = events(new Random(31));
        JsonArray probes = probes(new Random(32));
        try (KafkaBroker broker = new KafkaBroker(dir.resolve("kafka"))) {
            broker.createTopics("vigie.events"); // before the service's consumer would auto-create it
            try (TestService service = new TestService(dir.resolve("data"), new JsonObject().put("kafka",
                    new JsonObject().put("bootstrap", broker.bootstrap()).put("group", "restart").put("max_poll_records", 100)))) {
                expect(201, service.post("/v1/models", ServiceApiTest.modelRequest("cards", MODEL)));
                produce(broker, "vigie.events", events);
                eventually(() -> learned(service), 2_000);
                broker.kill();
                broker.start();
                eventually(() -> learned(service), EVENTS);
                JsonObject model = expect(200, service.get("/v1/models/cards"));
                assertEquals(EVENTS, model.getLong("learned"));
                assertEquals(EVENTS, model.getLong("version"));
                assertEquals(uninterrupted(events, probes), expect(200, service.post("/v1/models/cards/predict/batch",
                        new JsonObject().put("events", probes))));
            }
        }
    }

    /** The same events posted over HTTP to a service that never stops, then the probes scored. */
    private JsonObject uninterrupted(List<JsonObject> events, JsonArray probes) throws Exception {
        try (TestService never = new TestService(dir.resolve("uninterrupted"))) {
            expect(201, never.post("/v1/models", ServiceApiTest.modelRequest("cards", MODEL)));
            for (int from = 0; from < events.size(); from += 1000) {
                JsonArray batch = new JsonArray();
                for (JsonObject e : events.subList(from, Math.min(events.size(), from + 1000))) {
                    JsonObject item = e.copy();
                    item.remove("model");
                    batch.add(item);
                }
                expect(202, never.post("/v1/models/cards/events", new JsonObject().put("events", batch)));
            }
            return expect(200, never.post("/v1/models/cards/predict/batch", new JsonObject().put("events", probes)));
        }
    }

    private static List<JsonObject> events(Random random) {
        List<JsonObject> events = new ArrayList<>();
        for (int i = 0; i < EVENTS; i++) {
            JsonObject f = ServiceApiTest.features(random);
            events.add(new JsonObject().put("model", "cards").put("id", "e" + i).put("features", f).put("label", ServiceApiTest.truth(f)));
        }
        return events;
    }

    private static JsonArray probes(Random random) {
        JsonArray probes = new JsonArray();
        for (int i = 0; i < 100; i++) {
            probes.add(new JsonObject().put("id", "probe" + i).put("features", ServiceApiTest.features(random)));
        }
        return probes;
    }

    private static void produce(KafkaBroker broker, String topic, List<JsonObject> events) throws Exception {
        try (KafkaProducer<String, byte[]> producer = new KafkaProducer<>(Map.of(ProducerConfig.BOOTSTRAP_SERVERS_CONFIG,
                broker.bootstrap(), ProducerConfig.ACKS_CONFIG, "all"), new StringSerializer(), new ByteArraySerializer())) {
            for (JsonObject event : events) {
                producer.send(new ProducerRecord<>(topic, event.getString("id"), event.encode().getBytes(StandardCharsets.UTF_8)));
            }
            producer.flush();
        }
    }

    private static long learned(TestService service) {
        try {
            return expect(200, service.get("/v1/models/cards")).getLong("learned");
        } catch (Exception e) {
            throw new AssertionError(e);
        }
    }

    private long learned(ServiceProcess service) {
        try {
            return expect(200, send(service, "GET", "/v1/models/cards", null)).getLong("learned");
        } catch (Exception e) {
            throw new AssertionError(e);
        }
    }

    /** Polls until the count reaches {@code target}, for at most 120 s. */
    private static void eventually(LongSupplier count, long target) throws InterruptedException {
        long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(120);
        long last = -1;
        while ((last = count.getAsLong()) < target) {
            assertTrue(System.nanoTime() < deadline, "stuck at " + last + " of " + target);
            Thread.sleep(10); // polling interval, not synchronisation: the count decides
        }
    }

    private HttpResponse<String> send(ServiceProcess service, String method, String path, JsonObject body) throws Exception {
        return service.send(method, path, body);
    }
}
