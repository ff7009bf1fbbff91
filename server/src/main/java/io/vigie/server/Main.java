package io.vigie.server;

import io.vertx.core.DeploymentOptions;
import io.vertx.core.Vertx;
import io.vertx.core.json.DecodeException;
import io.vertx.core.json.JsonObject;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;

/**
 * {@code vigie serve [--port 8080] [--host 127.0.0.1] [--data-dir ./vigie-data] [--config FILE] [--kafka HOST:PORT [--group NAME] [--cluster NAME]]}:
 * runs the service in the foreground and stops gracefully on SIGTERM or Ctrl-C (in-flight
 * requests finish, every model drains its queue and snapshots). Options override the config
 * file, whose keys are those of {@link VigieServer}.
 */
public final class Main {
    private static final String USAGE = "usage: vigie serve [--port 8080] [--host 127.0.0.1] [--data-dir ./vigie-data] [--config FILE]"
            + " [--kafka HOST:PORT [--group NAME] [--replica | --cluster NAME [--advertise HOST:PORT]]]";

    private Main() {
    }

    public static void main(String[] args) throws Exception {
        chooseLogFormat(logFormat(args)); // first: Vert.x's JSON classes start the logging
        JsonObject options = new JsonObject();
        JsonObject kafka = new JsonObject();
        JsonObject cluster = new JsonObject();
        Path configFile = null;
        for (int i = 0; i < args.length; i++) {
            String value = i + 1 < args.length ? args[i + 1] : null;
            switch (args[i]) {
                case "--port" -> options.put("port", parsePort(value));
                case "--host" -> options.put("host", require("--host", value));
                case "--data-dir" -> options.put("data_dir", require("--data-dir", value));
                case "--config" -> configFile = Path.of(require("--config", value));
                case "--kafka" -> kafka.put("bootstrap", require("--kafka", value));
                case "--group" -> kafka.put("group", require("--group", value));
                case "--cluster" -> cluster.put("name", require("--cluster", value));
                case "--advertise" -> cluster.put("advertise", require("--advertise", value));
                case "--replica" -> {
                    options.put("replica", true);
                    i--; // a flag: no value
                }
                case "--help", "-h" -> {
                    System.out.println(USAGE);
                    return;
                }
                case "--version" -> {
                    System.out.println(BuildInfo.describe());
                    return;
                }
                default -> fail("unknown option " + args[i] + "\n" + USAGE);
            }
            i++;
        }
        JsonObject config = configFile == null ? new JsonObject() : readConfig(configFile);
        config.mergeIn(options);
        if (!kafka.isEmpty()) {
            if (kafka.getString("bootstrap") == null) {
                fail("--group needs --kafka HOST:PORT\n" + USAGE);
            }
            config.put("kafka", config.getJsonObject("kafka", new JsonObject()).mergeIn(kafka));
        }
        if (!cluster.isEmpty()) {
            config.put("cluster", config.getJsonObject("cluster", new JsonObject()).mergeIn(cluster));
        }
        String clusterSecret = System.getenv("VIGIE_CLUSTER_SECRET");
        if (clusterSecret != null && config.getJsonObject("kafka") != null) {
            config.getJsonObject("kafka").put("secret", clusterSecret);
        }
        String adminKey = System.getenv("VIGIE_ADMIN_KEY");
        if (adminKey != null) {
            config.put("admin_key", adminKey);
        }
        Vertx vertx = Vertx.vertx();
        VigieServer server = new VigieServer();
        try {
            vertx.deployVerticle(server, new DeploymentOptions().setConfig(config)).await(30, TimeUnit.SECONDS);
        } catch (Exception e) {
            vertx.close();
            fail("cannot start: " + (e.getCause() != null ? e.getCause().getMessage() : e.getMessage()));
        }
        // Registered before anything is announced, so that a SIGTERM at any point after start stops it cleanly.
        CountDownLatch stopped = new CountDownLatch(1);
        AtomicBoolean served = new AtomicBoolean();
        Runtime.getRuntime().addShutdownHook(new Thread(() -> {
            try {
                vertx.close().await(60, TimeUnit.SECONDS);
                if (served.get()) { // a start that failed had no models to drain
                    System.out.println("Vigie stopped: models drained and snapshotted");
                }
            } catch (Exception e) {
                System.err.println("vigie serve: shutdown was not clean: " + e.getMessage());
            }
            stopped.countDown();
        }, "vigie-shutdown"));
        String url = (config.containsKey("tls_cert") ? "https" : "http") + "://" + config.getString("host", "127.0.0.1") + ":"
                + server.port();
        System.out.println("Vigie listening on " + url + " (recovering models from " + config.getString("data_dir", "vigie-data") + ")");
        try {
            server.recovered().await(1, TimeUnit.HOURS);
        } catch (Exception e) {
            vertx.close();
            fail("cannot open the data dir: " + (e.getCause() != null ? e.getCause().getMessage() : e.getMessage()));
        }
        if (server.generatedAdminKey() != null) {
            System.out.println("Admin API key (shown once, only its hash is stored): " + server.generatedAdminKey());
        }
        served.set(true);
        System.out.println("Vigie ready on " + url);
        stopped.await();
    }

    /**
     * The config file's {@code log_format}, read with Jackson alone before anything else: the first
     * logger made reads the logging configuration, and Vert.x's JSON classes make one. A file that
     * does not read is reported later, by the config check.
     */
    private static Object logFormat(String[] args) {
        for (int i = 0; i + 1 < args.length; i++) {
            if (args[i].equals("--config")) {
                try {
                    com.fasterxml.jackson.databind.JsonNode format = new com.fasterxml.jackson.databind.ObjectMapper()
                            .readTree(Path.of(args[i + 1]).toFile()).get("log_format");
                    return format == null ? "text" : format.isTextual() ? format.asText() : format.toString();
                } catch (IOException | RuntimeException e) {
                    return "text";
                }
            }
        }
        return "text";
    }

    /** Text lines (logback.xml, the default) or JSON lines (logback-json.xml). */
    private static void chooseLogFormat(Object format) {
        if ("json".equals(format)) {
            System.setProperty("logback.configurationFile", "logback-json.xml");
        } else if (!"text".equals(format)) {
            fail("config key 'log_format' must be \"text\" or \"json\", got " + format);
        }
    }

    private static JsonObject readConfig(Path file) {
        try {
            return new JsonObject(Files.readString(file));
        } catch (IOException e) {
            fail("cannot read --config " + file + ": " + e.getMessage());
        } catch (DecodeException e) {
            fail("--config " + file + " is not a JSON object: " + e.getMessage());
        }
        return null;
    }

    private static int parsePort(String value) {
        try {
            int port = Integer.parseInt(require("--port", value));
            if (port < 0 || port > 65_535) {
                fail("--port must be between 0 and 65535, got " + port);
            }
            return port;
        } catch (NumberFormatException e) {
            fail("--port must be a number, got '" + value + "'");
            return -1;
        }
    }

    private static String require(String option, String value) {
        if (value == null) {
            fail(option + " needs a value");
        }
        return value;
    }

    private static void fail(String message) {
        System.err.println("vigie serve: " + message);
        System.exit(2);
    }
}
