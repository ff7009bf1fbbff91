package io.vigie.server;

import io.vigie.server.kafka.LocalBroker;
import org.apache.kafka.clients.admin.Admin;
import org.apache.kafka.clients.admin.AdminClientConfig;
import org.apache.kafka.clients.admin.NewTopic;

import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;

/** The tests' real Kafka broker: a {@link LocalBroker} on the test classpath, and topics made for a test. */
final class KafkaBroker implements AutoCloseable {
    private final LocalBroker broker;

    KafkaBroker(Path dir) throws Exception {
        broker = new LocalBroker(dir, System.getProperty("java.class.path"));
    }

    String bootstrap() {
        return broker.bootstrap();
    }

    /** Starts the broker again after {@link #kill()}, on the same port and data. */
    void start() throws Exception {
        broker.start();
    }

    /** SIGKILL. */
    void kill() throws InterruptedException {
        broker.kill();
    }

    void createTopics(String... names) throws Exception {
        List<NewTopic> topics = new ArrayList<>();
        for (String name : names) {
            topics.add(new NewTopic(name, 1, (short) 1));
        }
        try (Admin admin = admin()) {
            admin.createTopics(topics).all().get(60, TimeUnit.SECONDS);
        }
    }

    Admin admin() {
        return Admin.create(Map.of(AdminClientConfig.BOOTSTRAP_SERVERS_CONFIG, bootstrap()));
    }

    @Override
    public void close() throws InterruptedException {
        broker.close();
    }
}
