package io.vigie.server.wire;

import io.vertx.core.json.DecodeException;
import io.vertx.core.json.Json;
import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;
import io.vigie.server.ApiProblem;
import org.junit.jupiter.api.Test;

import java.math.BigInteger;
import java.nio.charset.StandardCharsets;
import java.util.List;
import java.util.Map;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertInstanceOf;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** JSON read by Vigie's own decoder gives what Vert.x's codec gives, and refuses a key given twice. */
class JsonTextTest {
    private static Object decode(String text) {
        return JsonText.decode(text.getBytes(StandardCharsets.UTF_8));
    }

    @Test
    void documentsDecodeToTheSameValuesAsVertx() {
        List<String> documents = List.of(
                "{\"model\":\"m\",\"id\":\"e1\",\"features\":{\"a\":1,\"b\":-2.5e3,\"c\":\"x\\u00e9\\n\",\"d\":null,\"e\":true},\"label\":\"UP\"}",
                "{\"big\":12345678901234567890,\"long\":9876543210,\"int\":7,\"neg\":-0.0,\"tiny\":1e-300}",
                "{\"events\":[{\"id\":\"a\",\"v\":[1,2,[3,{\"k\":false}]]},{}],\"empty\":[],\"nested\":{\"o\":{\"p\":{}}}}",
                "[1,\"two\",3.0,null,{\"four\":4}]", "\"just a string\"", "42", "true", "null");
        for (String text : documents) {
            Object ours = decode(text);
            Object vertx = Json.decodeValue(text);
            assertEquals(vertx, ours, text);
            assertEquals(vertx == null ? null : vertx.getClass(), ours == null ? null : ours.getClass(), text);
        }
    }

    @Test
    void numbersKeepVertxsTypes() {
        JsonObject numbers = (JsonObject) decode("{\"int\":7,\"long\":9876543210,\"big\":12345678901234567890,\"double\":0.5}");
        assertInstanceOf(Integer.class, numbers.getValue("int"));
        assertInstanceOf(Long.class, numbers.getValue("long"));
        assertInstanceOf(BigInteger.class, numbers.getValue("big"));
        assertInstanceOf(Double.class, numbers.getValue("double"));
        JsonObject nested = (JsonObject) decode("{\"o\":{\"list\":[1]}}");
        assertInstanceOf(JsonObject.class, nested.getJsonObject("o"));
        assertInstanceOf(JsonArray.class, nested.getJsonObject("o").getJsonArray("list"));
        assertInstanceOf(Map.class, nested.getMap().get("o"), "nested objects stay maps inside, as Vert.x leaves them");
    }

    @Test
    void aKeyGivenTwice_isRefused_atAnyDepth_evenAfterANull() {
        for (String text : List.of("{\"id\":\"a\",\"id\":\"b\"}", "{\"f\":{\"x\":1,\"y\":2,\"x\":3}}", "{\"d\":null,\"d\":1}",
                "[{\"a\":1},{\"b\":1,\"b\":2}]")) {
            DecodeException refused = assertThrows(DecodeException.class, () -> decode(text), text);
            assertTrue(refused.getMessage().contains("Duplicate field"), refused.getMessage());
        }
        ApiProblem problem = assertThrows(ApiProblem.class,
                () -> JsonText.object("{\"id\":\"a\",\"id\":\"b\"}".getBytes(StandardCharsets.UTF_8), "the body"));
        assertEquals(400, problem.status());
        assertTrue(problem.getMessage().contains("Duplicate field 'id'"), problem.getMessage());
    }

    @Test
    void malformedText_isADecodeError_notAValue() {
        for (String text : List.of("{\"a\":1} {\"b\":2}", "{\"a\":", "[1,2", "{\"a\" 1}", "{a:1}", "[1,]", "}")) {
            assertThrows(DecodeException.class, () -> decode(text), text);
        }
    }
}
