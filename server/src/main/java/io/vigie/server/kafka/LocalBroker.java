package io.vigie.server.kafka;

import java.io.IOException;
import java.net.ServerSocket;
import java.net.Socket;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;

/**
 * A single-node KRaft Kafka broker (broker and controller in one process) from the
 * {@code kafka_2.13} artifact, in a JVM of its own: for the tests, the benchmark and the demo,
 * never for production. Listens on 127.0.0.1 only; its data and log live under the given
 * directory. The classpath must hold {@code kafka_2.13} and its dependencies.
 */
public final class LocalBroker implements AutoCloseable {
    private final Path dir;
    private final String classpath;
    private final int port;
    private final Path properties;
    private Process process;

    /** Formats the storage under {@code dir} and starts the broker. */
    public LocalBroker(Path dir, String classpath) throws IOException, InterruptedException {
        this.dir = dir;
        this.classpath = classpath;
        this.port = freePort();
        int controllerPort = freePort();
        this.properties = dir.resolve("server.properties");
        Files.createDirectories(dir);
        Files.writeString(properties, String.join("\n",
                "process.roles=broker,controller",
                "node.id=1",
                "controller.quorum.voters=1@127.0.0.1:" + controllerPort,
                "listeners=PLAINTEXT://127.0.0.1:" + port + ",CONTROLLER://127.0.0.1:" + controllerPort,
                "advertised.listeners=PLAINTEXT://127.0.0.1:" + port,
                "controller.listener.names=CONTROLLER",
                "inter.broker.listener.name=PLAINTEXT",
                "listener.security.protocol.map=CONTROLLER:PLAINTEXT,PLAINTEXT:PLAINTEXT",
                "log.dirs=" + dir.resolve("data"),
                "num.partitions=1",
                "offsets.topic.replication.factor=1",
                "offsets.topic.num.partitions=1",
                "transaction.state.log.replication.factor=1",
                "transaction.state.log.min.isr=1",
                "share.coordinator.state.topic.replication.factor=1",
                "share.coordinator.state.topic.min.isr=1",
                "group.initial.rebalance.delay.ms=0",
                ""));
        Process format = java("kafka.tools.StorageTool", "format", "-t", org.apache.kafka.common.Uuid.randomUuid().toString(),
                "-c", properties.toString()).redirectOutput(dir.resolve("format.log").toFile()).start();
        if (!format.waitFor(60, TimeUnit.SECONDS) || format.exitValue() != 0) {
            throw new IOException("cannot format the broker's storage: " + Files.readString(dir.resolve("format.log")));
        }
        start();
    }

    /**
     * {@code java -cp <server jar and broker classpath> io.vigie.server.kafka.LocalBroker DIR}: runs a
     * broker until this process is stopped (SIGTERM stops the broker too), for {@code ./vigie kafka-demo}.
     */
    public static void main(String[] args) throws Exception {
        if (args.length != 1) {
            System.err.println("usage: LocalBroker DIR");
            System.exit(2);
        }
        LocalBroker broker = new LocalBroker(Path.of(args[0]), System.getProperty("java.class.path"));
        CountDownLatch stopped = new CountDownLatch(1);
        Runtime.getRuntime().addShutdownHook(new Thread(() -> {
            try {
                broker.close();
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
            }
            stopped.countDown();
        }, "local-broker-shutdown"));
        System.out.println("Kafka ready on " + broker.bootstrap());
        stopped.await();
    }

    public String bootstrap() {
        return "127.0.0.1:" + port;
    }

    /** Starts the broker process and waits until it accepts connections (at most 90 s). */
    public void start() throws IOException, InterruptedException {
        process = java("kafka.Kafka", properties.toString()).redirectOutput(dir.resolve("broker.log").toFile()).start();
        long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(90);
        while (!listening()) {
            if (!process.isAlive() || System.nanoTime() > deadline) {
                process.destroyForcibly();
                throw new IOException("the Kafka broker did not start; see " + dir.resolve("broker.log"));
            }
            Thread.sleep(50); // polling interval: the port decides
        }
    }

    /** Kills the broker process at once (SIGKILL). */
    public void kill() throws InterruptedException {
        process.destroyForcibly();
        process.waitFor(30, TimeUnit.SECONDS);
    }

    @Override
    public void close() throws InterruptedException {
        if (process != null && process.isAlive()) {
            process.destroy();
            if (!process.waitFor(30, TimeUnit.SECONDS)) {
                kill();
            }
        }
    }

    private boolean listening() {
        try (Socket socket = new Socket("127.0.0.1", port)) {
            return socket.isConnected();
        } catch (IOException refused) {
            return false;
        }
    }

    private ProcessBuilder java(String mainClass, String... args) {
        List<String> command = new ArrayList<>(List.of(Path.of(System.getProperty("java.home"), "bin", "java").toString(),
                "-Xmx512m", "-cp", classpath, mainClass));
        command.addAll(List.of(args));
        return new ProcessBuilder(command).redirectErrorStream(true);
    }

    private static int freePort() throws IOException {
        try (ServerSocket socket = new ServerSocket(0)) {
            return socket.getLocalPort();
        }
    }
}
