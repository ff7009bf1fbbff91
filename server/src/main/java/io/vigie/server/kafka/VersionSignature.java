package io.vigie.server.kafka;

import javax.crypto.Mac;
import javax.crypto.spec.SecretKeySpec;
import java.nio.charset.StandardCharsets;
import java.security.GeneralSecurityException;
import java.security.MessageDigest;
import java.util.HexFormat;

/**
 * The signature of a published model version: an HMAC-SHA256, under the cluster's shared secret,
 * of the model name, the version, the definition and the snapshot bytes. A replica loads a version
 * only if its signature holds, so that whoever can write to the models topic but lacks the secret
 * cannot make a replica deserialize bytes of their choosing, replay an old version as a new one,
 * or swap a model's definition.
 */
final class VersionSignature {
    private final byte[] secret;

    VersionSignature(String secret) {
        if (secret == null || secret.length() < 32) {
            throw new IllegalArgumentException("the cluster secret (kafka.secret, or VIGIE_CLUSTER_SECRET) must have at least 32 "
                    + "characters; generate one with: openssl rand -base64 32");
        }
        this.secret = secret.getBytes(StandardCharsets.UTF_8);
    }

    String sign(String model, long version, String definition, byte[] snapshot) {
        try {
            Mac mac = Mac.getInstance("HmacSHA256");
            mac.init(new SecretKeySpec(secret, "HmacSHA256"));
            mac.update((model + "\n" + version + "\n" + definition + "\n").getBytes(StandardCharsets.UTF_8));
            return HexFormat.of().formatHex(mac.doFinal(snapshot));
        } catch (GeneralSecurityException e) {
            throw new IllegalStateException("every JVM has HmacSHA256", e);
        }
    }

    /** Whether a signature holds, compared in constant time. */
    boolean holds(String signature, String model, long version, String definition, byte[] snapshot) {
        return signature != null && MessageDigest.isEqual(signature.getBytes(StandardCharsets.US_ASCII),
                sign(model, version, definition, snapshot).getBytes(StandardCharsets.US_ASCII));
    }
}
