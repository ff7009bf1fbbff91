package io.vigie.server;

import io.vertx.core.Vertx;
import io.vertx.core.DeploymentOptions;
import io.vertx.core.json.JsonObject;

import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;

/**
 * {@code vigie serve [--port 8080] [--host 127.0.0.1]}: runs the service in the foreground and
 * stops gracefully on SIGTERM or Ctrl-C.
 */
public final class Main {
    private Main() {
    }

    public static void main(String[] args) throws Exception {
        JsonObject config = new JsonObject();
        for (int i = 0; i < args.length; i++) {
            String value = i + 1 < args.length ? args[i + 1] : null;
            switch (args[i]) {
                case "--port" -> config.put("port", parsePort(value));
                case "--host" -> config.put("host", require("--host", value));
                default -> fail("unknown option " + args[i] + "\nusage: vigie serve [--port 8080] [--host 127.0.0.1]");
            }
            i++;
        }
        Vertx vertx = Vertx.vertx();
        VigieServer server = new VigieServer();
        try {
            vertx.deployVerticle(server, new DeploymentOptions().setConfig(config)).await(30, TimeUnit.SECONDS);
        } catch (Exception e) {
            vertx.close();
            fail("cannot start: " + (e.getCause() != null ? e.getCause().getMessage() : e.getMessage()));
        }
        System.out.println("Vigie listening on http://" + config.getString("host", "127.0.0.1") + ":" + server.port());
        CountDownLatch stopped = new CountDownLatch(1);
        Runtime.getRuntime().addShutdownHook(new Thread(() -> {
            try {
                vertx.close().await(30, TimeUnit.SECONDS);
            } catch (Exception e) {
                System.err.println("vigie serve: shutdown was not clean: " + e.getMessage());
            }
            stopped.countDown();
        }, "vigie-shutdown"));
        stopped.await();
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
