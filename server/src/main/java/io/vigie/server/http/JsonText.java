package io.vigie.server.http;

import com.fasterxml.jackson.core.JsonFactory;
import com.fasterxml.jackson.core.JsonGenerator;
import com.fasterxml.jackson.core.JsonParser;
import com.fasterxml.jackson.core.StreamReadFeature;
import com.fasterxml.jackson.core.StreamWriteFeature;
import com.fasterxml.jackson.core.util.ByteArrayBuilder;
import io.vertx.core.buffer.Buffer;
import io.vertx.core.json.DecodeException;
import io.vertx.core.json.EncodeException;
import io.vertx.core.json.jackson.JacksonCodec;

import java.io.IOException;

/**
 * JSON on the hot paths, read from and written to Vert.x buffers with Jackson's streaming API.
 * Vert.x's default codec goes through an ObjectMapper when jackson-databind is on the classpath,
 * and writes doubles with the JDK's slow algorithm; scoring answers are mostly doubles. Same
 * text, Jackson's default nesting and size limits.
 */
final class JsonText {
    private static final JsonFactory FACTORY = JsonFactory.builder()
            .enable(StreamReadFeature.USE_FAST_DOUBLE_PARSER).enable(StreamWriteFeature.USE_FAST_DOUBLE_WRITER).build();

    private JsonText() {
    }

    /** A JsonObject, JsonArray or scalar, as Vert.x's codecs give them. */
    static Object decode(Buffer buffer) {
        try (JsonParser parser = FACTORY.createParser(buffer.getBytes())) {
            return JacksonCodec.fromParser(parser, Object.class);
        } catch (IOException e) {
            throw new DecodeException("Failed to decode: " + e.getMessage(), e);
        }
    }

    static Buffer encode(Object value) {
        try (ByteArrayBuilder bytes = new ByteArrayBuilder(512); JsonGenerator generator = FACTORY.createGenerator(bytes)) {
            JacksonCodec.encodeJson(value, generator);
            generator.flush();
            return Buffer.buffer(bytes.toByteArray());
        } catch (IOException e) {
            throw new EncodeException(e.getMessage(), e);
        }
    }
}
