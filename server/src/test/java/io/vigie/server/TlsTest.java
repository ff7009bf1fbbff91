package io.vigie.server;

import io.vertx.core.json.JsonObject;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import javax.net.ssl.SSLContext;
import javax.net.ssl.TrustManagerFactory;
import java.io.InputStream;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.Key;
import java.security.KeyStore;
import java.security.cert.Certificate;
import java.util.Base64;
import java.util.List;
import java.util.concurrent.TimeUnit;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * TLS from a PEM certificate and key named in the config (a self-signed pair made with the JDK's
 * keytool): the API answers over HTTPS to a client that trusts the certificate, a plain HTTP
 * request gets no answer, and a config naming a missing file stops the start with the key named.
 */
class TlsTest {
    private static final char[] PASSWORD = "changeit".toCharArray();

    @TempDir
    Path dir;

    @Test
    void servesHttpsFromAPemCertificateAndKey() throws Exception {
        KeyStore store = selfSigned();
        Path cert = dir.resolve("cert.pem");
        Path key = dir.resolve("key.pem");
        Certificate certificate = store.getCertificate("vigie");
        Files.writeString(cert, pem("CERTIFICATE", certificate.getEncoded()));
        Key privateKey = store.getKey("vigie", PASSWORD);
        Files.writeString(key, pem("PRIVATE KEY", privateKey.getEncoded()));

        JsonObject tls = new JsonObject().put("tls_cert", cert.toString()).put("tls_key", key.toString());
        try (TestService service = new TestService(dir.resolve("data"), tls)) {
            HttpClient https = trusting(certificate);

            HttpResponse<String> models = https.send(HttpRequest.newBuilder(URI.create("https://127.0.0.1:" + service.port() + "/v1/models"))
                    .header("Authorization", "Bearer " + TestService.ADMIN).build(), HttpResponse.BodyHandlers.ofString());
            assertEquals(200, models.statusCode(), models.body());
            assertEquals("{\"models\":[]}", models.body());

            HttpClient plain = HttpClient.newBuilder().connectTimeout(java.time.Duration.ofSeconds(5)).build();
            assertThrows(java.io.IOException.class, () -> plain.send(HttpRequest.newBuilder(
                    URI.create("http://127.0.0.1:" + service.port() + "/health/live")).timeout(java.time.Duration.ofSeconds(10)).build(),
                    HttpResponse.BodyHandlers.ofString()), "no answer in clear text on the TLS port");
        }
    }

    @Test
    void instancesOfAClusterForwardToEachOtherOverTls() throws Exception {
        KeyStore store = selfSigned();
        Path cert = dir.resolve("cert.pem");
        Path key = dir.resolve("key.pem");
        Files.writeString(cert, pem("CERTIFICATE", store.getCertificate("vigie").getEncoded()));
        Files.writeString(key, pem("PRIVATE KEY", store.getKey("vigie", PASSWORD).getEncoded()));
        HttpClient https = trusting(store.getCertificate("vigie"));
        try (KafkaBroker broker = new KafkaBroker(dir.resolve("kafka"))) {
            JsonObject config = new JsonObject().put("tls_cert", cert.toString()).put("tls_key", key.toString())
                    .put("kafka", new JsonObject().put("bootstrap", broker.bootstrap()).put("group", "secure"))
                    .put("cluster", new JsonObject().put("name", "secure").put("partitions", 2).put("session_timeout_ms", 6_000));
            try (TestService a = new TestService(dir.resolve("a"), config); TestService b = new TestService(dir.resolve("b"), config)) {
                for (TestService service : List.of(a, b)) { // one partition each: each owns the models of its own
                    eventually(() -> {
                        HttpResponse<String> ready = get(https, service, "/health/ready");
                        return ready.statusCode() == 200 && new JsonObject(ready.body()).getJsonObject("cluster").getJsonArray("partitions").size() == 1;
                    });
                }
                HttpResponse<String> created = https.send(HttpRequest.newBuilder(URI.create("https://127.0.0.1:" + a.port() + "/v1/models"))
                        .header("Authorization", "Bearer " + TestService.ADMIN).header("Content-Type", "application/json")
                        .POST(HttpRequest.BodyPublishers.ofString(ServiceApiTest.modelRequest("m", "nb").encode())).build(),
                        HttpResponse.BodyHandlers.ofString());
                assertEquals(201, created.statusCode(), created.body());
                eventually(() -> get(https, b, "/v1/models/m").statusCode() == 200);
                // one of the two owns it; the other forwarded the request over TLS and relayed the owner's answer
                String owner = new JsonObject(get(https, a, "/v1/models/m").body()).getString("owner");
                assertEquals(owner, new JsonObject(get(https, b, "/v1/models/m").body()).getString("owner"));
                assertTrue(owner.equals("127.0.0.1:" + a.port()) || owner.equals("127.0.0.1:" + b.port()), owner);
            }
        }
    }

    private static HttpClient trusting(Certificate certificate) throws Exception {
        KeyStore trusted = KeyStore.getInstance("PKCS12");
        trusted.load(null, null);
        trusted.setCertificateEntry("vigie", certificate);
        TrustManagerFactory trust = TrustManagerFactory.getInstance(TrustManagerFactory.getDefaultAlgorithm());
        trust.init(trusted);
        SSLContext context = SSLContext.getInstance("TLS");
        context.init(null, trust.getTrustManagers(), null);
        return HttpClient.newBuilder().sslContext(context).build();
    }

    private static HttpResponse<String> get(HttpClient https, TestService service, String path) {
        try {
            return https.send(HttpRequest.newBuilder(URI.create("https://127.0.0.1:" + service.port() + path))
                    .header("Authorization", "Bearer " + TestService.ADMIN).build(), HttpResponse.BodyHandlers.ofString());
        } catch (Exception e) {
            throw new IllegalStateException(e);
        }
    }

    /** Polls a condition until it holds, for at most 60 s (instances hear of each other through Kafka). */
    private static void eventually(java.util.function.BooleanSupplier condition) throws InterruptedException {
        long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(60);
        while (!condition.getAsBoolean()) {
            assertTrue(System.nanoTime() < deadline, "condition not met within 60 s");
            Thread.sleep(20); // polling interval, not synchronisation: the condition decides
        }
    }

    @Test
    void aMissingCertificateStopsTheStartNamingTheKey() {
        JsonObject tls = new JsonObject().put("tls_cert", dir.resolve("nowhere.pem").toString()).put("tls_key", dir.resolve("k.pem").toString());
        Exception refused = assertThrows(Exception.class, () -> new TestService(dir.resolve("data"), tls).close());
        assertTrue(String.valueOf(refused.getMessage()).contains("config key 'tls_cert': cannot read"), refused.toString());
        Exception half = assertThrows(Exception.class, () -> new TestService(dir.resolve("data"),
                new JsonObject().put("tls_cert", dir.resolve("c.pem").toString())).close());
        assertTrue(String.valueOf(half.getMessage()).contains("TLS needs both"), half.toString());
    }

    /** A self-signed RSA certificate for 127.0.0.1, made by the keytool of the JDK running the test. */
    private KeyStore selfSigned() throws Exception {
        Path file = dir.resolve("store.p12");
        Process keytool = new ProcessBuilder(Path.of(System.getProperty("java.home"), "bin", "keytool").toString(),
                "-genkeypair", "-alias", "vigie", "-keyalg", "RSA", "-keysize", "2048", "-validity", "2",
                "-dname", "CN=127.0.0.1", "-ext", "SAN=ip:127.0.0.1", "-keystore", file.toString(), "-storetype", "PKCS12",
                "-storepass", new String(PASSWORD), "-keypass", new String(PASSWORD)).redirectErrorStream(true).start();
        String output = new String(keytool.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
        assertTrue(keytool.waitFor(60, TimeUnit.SECONDS) && keytool.exitValue() == 0, output);
        KeyStore store = KeyStore.getInstance("PKCS12");
        try (InputStream in = Files.newInputStream(file)) {
            store.load(in, PASSWORD);
        }
        return store;
    }

    private static String pem(String type, byte[] der) {
        return "-----BEGIN " + type + "-----\n" + Base64.getMimeEncoder(64, "\n".getBytes(StandardCharsets.US_ASCII)).encodeToString(der)
                + "\n-----END " + type + "-----\n";
    }
}
