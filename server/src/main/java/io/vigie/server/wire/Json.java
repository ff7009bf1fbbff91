package io.vigie.server.wire;

import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;
import io.vigie.server.ApiProblem;

import java.util.ArrayList;
import java.util.List;

/** Typed reads of request fields that name the field and what was expected when they fail (400). */
public final class Json {
    private Json() {
    }

    public static String string(JsonObject json, String field, boolean required) {
        Object value = json.getValue(field);
        if (value == null) {
            if (required) {
                throw ApiProblem.badRequest("'" + field + "' is required");
            }
            return null;
        }
        if (!(value instanceof String s)) {
            throw ApiProblem.badRequest("'" + field + "' must be a string, got " + describe(value));
        }
        return s;
    }

    public static JsonObject object(JsonObject json, String field, boolean required) {
        Object value = json.getValue(field);
        if (value == null && !required) {
            return null;
        }
        if (!(value instanceof JsonObject o)) {
            throw ApiProblem.badRequest("'" + field + "' must be an object, got " + describe(value));
        }
        return o;
    }

    public static JsonArray array(JsonObject json, String field) {
        Object value = json.getValue(field);
        if (!(value instanceof JsonArray a)) {
            throw ApiProblem.badRequest("'" + field + "' must be an array, got " + describe(value));
        }
        return a;
    }

    public static List<String> strings(JsonObject json, String field) {
        JsonArray array = array(json, field);
        List<String> values = new ArrayList<>(array.size());
        for (Object value : array) {
            if (!(value instanceof String s)) {
                throw ApiProblem.badRequest("'" + field + "' must hold strings only, got " + describe(value));
            }
            values.add(s);
        }
        return values;
    }

    public static double number(JsonObject json, String field) {
        Object value = json.getValue(field);
        if (!(value instanceof Number n)) {
            throw ApiProblem.badRequest("'" + field + "' must be a number, got " + describe(value));
        }
        return n.doubleValue();
    }

    public static long integer(JsonObject json, String field) {
        Object value = json.getValue(field);
        if (!(value instanceof Integer || value instanceof Long)) {
            throw ApiProblem.badRequest("'" + field + "' must be an integer, got " + describe(value));
        }
        return ((Number) value).longValue();
    }

    public static boolean bool(JsonObject json, String field) {
        Object value = json.getValue(field);
        if (!(value instanceof Boolean b)) {
            throw ApiProblem.badRequest("'" + field + "' must be true or false, got " + describe(value));
        }
        return b;
    }

    /** A caller's text as an error message quotes it: at most 60 characters, never a huge value echoed back. */
    public static String quote(String text) {
        return ApiProblem.quote(text);
    }

    /** A short description of a JSON value for an error message. */
    public static String describe(Object value) {
        if (value == null) {
            return "null";
        }
        if (value instanceof String s) {
            return "the string \"" + (s.length() > 40 ? s.substring(0, 40) + "…" : s) + "\"";
        }
        if (value instanceof JsonObject) {
            return "an object";
        }
        if (value instanceof JsonArray) {
            return "an array";
        }
        return value.getClass().getSimpleName().toLowerCase() + " " + value;
    }
}
