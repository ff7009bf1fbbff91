package io.vigie.server.wire;

import com.fasterxml.jackson.core.JsonFactory;
import com.fasterxml.jackson.core.JsonGenerator;
import com.fasterxml.jackson.core.JsonParser;
import com.fasterxml.jackson.core.StreamReadFeature;
import com.fasterxml.jackson.core.StreamWriteFeature;
import com.fasterxml.jackson.core.util.ByteArrayBuilder;
import io.vertx.core.buffer.Buffer;
import io.vertx.core.json.DecodeException;
import io.vertx.core.json.EncodeException;
import io.vertx.core.json.JsonObject;
import io.vertx.core.json.jackson.JacksonCodec;
import io.vigie.server.ApiProblem;

import java.io.IOException;
import java.nio.charset.StandardCharsets;

/**
 * JSON on the hot paths, read from and written to Vert.x buffers with Jackson's streaming API.
 * Vert.x's default codec goes through an ObjectMapper when jackson-databind is on the classpath,
 * and writes doubles with the JDK's slow algorithm; scoring answers are mostly doubles. Same
 * text, Jackson's default nesting and size limits.
 */
public final class JsonText {
    /** Fast doubles both ways; a key given twice in one object is refused (which one was meant cannot be told). */
    private static final JsonFactory FACTORY = JsonFactory.builder()
            .enable(StreamReadFeature.USE_FAST_DOUBLE_PARSER).enable(StreamWriteFeature.USE_FAST_DOUBLE_WRITER)
            .enable(StreamReadFeature.STRICT_DUPLICATE_DETECTION).build();

    private JsonText() {
    }

    /**
     * The JSON object a request body or a record value must be; {@code what} names it in the 400
     * ("the body", "the value").
     */
    public static JsonObject object(byte[] bytes, String what) {
        if (bytes == null || bytes.length == 0) {
            throw ApiProblem.badRequest(what + " is empty; a JSON object is expected");
        }
        Object value;
        try {
            value = decode(bytes);
        } catch (DecodeException e) {
            if (new String(bytes, StandardCharsets.UTF_8).isBlank()) {
                throw ApiProblem.badRequest(what + " is empty; a JSON object is expected");
            }
            throw ApiProblem.badRequest(what + " is not valid JSON: " + firstLine(e.getMessage()));
        }
        if (!(value instanceof JsonObject object)) {
            throw ApiProblem.badRequest(what + " must be a JSON object, got " + Json.describe(value));
        }
        return object;
    }

    /** A JsonObject, JsonArray or scalar, as Vert.x's codecs give them. */
    public static Object decode(byte[] bytes) {
        try (JsonParser parser = FACTORY.createParser(bytes)) {
            return JacksonCodec.fromParser(parser, Object.class);
        } catch (IOException e) {
            throw new DecodeException("Failed to decode: " + e.getMessage(), e);
        }
    }

    public static Buffer encode(Object value) {
        try (ByteArrayBuilder bytes = new ByteArrayBuilder(512); JsonGenerator generator = FACTORY.createGenerator(bytes)) {
            JacksonCodec.encodeJson(value, generator);
            generator.flush();
            return Buffer.buffer(bytes.toByteArray());
        } catch (IOException e) {
            throw new EncodeException(e.getMessage(), e);
        }
    }

    private static String firstLine(String message) {
        if (message == null) {
            return "";
        }
        int end = message.indexOf('\n');
        String line = end < 0 ? message : message.substring(0, end);
        return line.length() > 200 ? line.substring(0, 200) + "…" : line;
    }
}
