package io.vigie.server.wire;

import com.fasterxml.jackson.core.JsonFactory;
import com.fasterxml.jackson.core.JsonGenerator;
import com.fasterxml.jackson.core.JsonParseException;
import com.fasterxml.jackson.core.JsonParser;
import com.fasterxml.jackson.core.JsonToken;
import com.fasterxml.jackson.core.JsonTokenId;
import com.fasterxml.jackson.core.StreamReadFeature;
import com.fasterxml.jackson.core.StreamWriteFeature;
import com.fasterxml.jackson.core.util.ByteArrayBuilder;
import io.vertx.core.buffer.Buffer;
import io.vertx.core.json.DecodeException;
import io.vertx.core.json.EncodeException;
import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;
import io.vertx.core.json.jackson.JacksonCodec;
import io.vigie.server.ApiProblem;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * JSON on the hot paths, read from and written to Vert.x buffers with Jackson's streaming API.
 * Vert.x's default codec goes through an ObjectMapper when jackson-databind is on the classpath,
 * and writes doubles with the JDK's slow algorithm; scoring answers are mostly doubles. Same
 * text, Jackson's default nesting and size limits.
 */
public final class JsonText {
    /** Fast doubles both ways. */
    private static final JsonFactory FACTORY = JsonFactory.builder()
            .enable(StreamReadFeature.USE_FAST_DOUBLE_PARSER).enable(StreamWriteFeature.USE_FAST_DOUBLE_WRITER).build();

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

    /**
     * A JsonObject, JsonArray or scalar, as Vert.x's codecs give them; a key given twice in one
     * object is refused (which one was meant cannot be told).
     */
    public static Object decode(byte[] bytes) {
        Object value;
        try (JsonParser parser = FACTORY.createParser(bytes)) {
            parser.nextToken();
            value = switch (parser.currentTokenId()) {
                case JsonTokenId.ID_START_OBJECT -> new JsonObject(object(parser));
                case JsonTokenId.ID_START_ARRAY -> new JsonArray(array(parser));
                default -> value(parser);
            };
            if (parser.nextToken() != null) {
                throw new DecodeException("Unexpected trailing token");
            }
        } catch (IOException e) {
            throw new DecodeException("Failed to decode: " + e.getMessage(), e);
        }
        return value;
    }

    /** A value inside a document: objects as maps and arrays as lists, as Vert.x leaves them until read. */
    private static Object value(JsonParser parser) throws IOException {
        return switch (parser.currentTokenId()) {
            case JsonTokenId.ID_START_OBJECT -> object(parser);
            case JsonTokenId.ID_START_ARRAY -> array(parser);
            case JsonTokenId.ID_STRING -> parser.getText();
            case JsonTokenId.ID_NUMBER_INT, JsonTokenId.ID_NUMBER_FLOAT -> parser.getNumberValue();
            case JsonTokenId.ID_TRUE -> Boolean.TRUE;
            case JsonTokenId.ID_FALSE -> Boolean.FALSE;
            case JsonTokenId.ID_NULL -> null;
            default -> throw new JsonParseException(parser, "Unexpected token " + parser.currentToken());
        };
    }

    /**
     * An object's fields in their order; a repeated name shows as a map that did not grow, which
     * is cheaper than Jackson's duplicate detection (a set of names per object, beside the map).
     */
    private static Map<String, Object> object(JsonParser parser) throws IOException {
        Map<String, Object> fields = new LinkedHashMap<>();
        for (String name = parser.nextFieldName(); name != null; name = parser.nextFieldName()) {
            parser.nextToken();
            int before = fields.size();
            fields.put(name, value(parser));
            if (fields.size() == before) {
                throw new JsonParseException(parser, "Duplicate field '" + name + "'");
            }
        }
        return fields;
    }

    private static List<Object> array(JsonParser parser) throws IOException {
        List<Object> elements = new ArrayList<>();
        while (parser.nextToken() != JsonToken.END_ARRAY) {
            elements.add(value(parser));
        }
        return elements;
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
