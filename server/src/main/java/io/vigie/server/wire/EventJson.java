package io.vigie.server.wire;

import com.yahoo.labs.samoa.instances.Instance;
import io.vertx.core.json.JsonObject;
import io.vigie.learner.LearnerException;
import io.vigie.learner.Schema;
import io.vigie.server.ApiProblem;

import io.vigie.server.model.EventTime;

import java.text.Normalizer;
import java.util.ArrayList;
import java.util.List;
import java.time.Instant;
import java.time.OffsetDateTime;
import java.time.format.DateTimeFormatter;
import java.time.format.DateTimeParseException;
import java.util.Set;

/** Reads an event's id, features and label against a model's schema, the same way for HTTP and Kafka; 4xx when they do not fit. */
public final class EventJson {
    /** Event ids go into RocksDB keys and logs: bounded. */
    static final int MAX_ID_LENGTH = 256;
    /** The fields of an event to score, of a label and of a labelled event (on Kafka, each names its model too). */
    public static final Set<String> TO_SCORE = Set.of("id", "features", "time", "keys");
    public static final Set<String> LABEL = Set.of("id", "label", "time");
    public static final Set<String> LABELLED = Set.of("id", "features", "label", "time");
    /** Event times before 1970 or after 9999 are typos, not times. */
    private static final long LATEST_TIME = Instant.parse("9999-12-31T23:59:59.999Z").toEpochMilli();

    private EventJson() {
    }

    /**
     * The event's {@code id}: a string (or an integer, taken as its text) of 1 to 256 characters,
     * valid Unicode (a lone surrogate would be stored as '?' and collide with another id), in
     * Unicode's composed form (NFC), so that one id written two ways names one event.
     */
    public static String id(JsonObject event) {
        Object value = event.getValue("id");
        if (value instanceof Integer || value instanceof Long) {
            value = value.toString(); // numeric ids are common; they are ids, not numbers
        }
        if (!(value instanceof String id)) {
            throw ApiProblem.badRequest("'id' must be a string, got " + Json.describe(value));
        }
        if (id.isEmpty() || id.length() > MAX_ID_LENGTH) {
            throw ApiProblem.invalid("'id' must have 1 to " + MAX_ID_LENGTH + " characters, got " + id.length());
        }
        for (int i = 0; i < id.length(); i++) {
            char c = id.charAt(i);
            if (Character.isHighSurrogate(c) && i + 1 < id.length() && Character.isLowSurrogate(id.charAt(i + 1))) {
                i++;
            } else if (Character.isSurrogate(c)) {
                throw ApiProblem.invalid("'id' is not valid Unicode: a lone surrogate at character " + i);
            }
        }
        return Normalizer.normalize(id, Normalizer.Form.NFC);
    }

    /**
     * The event's {@code features} object as an instance of the schema. With {@code unknownCategory},
     * a category the schema does not list is a missing value reported to it (by feature index);
     * without, it is a 422.
     */
    public static Instance instance(Schema schema, JsonObject event, java.util.function.IntConsumer unknownCategory) {
        JsonObject features = Json.object(event, "features", true);
        try {
            return schema.toInstance(features.getMap(), unknownCategory);
        } catch (LearnerException e) {
            throw ApiProblem.invalid(e.getMessage());
        }
    }

    /**
     * When the event (or the label) happened, as its sender says: {@code time}, an RFC 3339 date
     * and time with its offset ({@code 2018-04-01T00:00:31Z}) or epoch milliseconds; without it,
     * {@link EventTime#ARRIVAL} (the service takes the time it arrived).
     */
    public static long time(JsonObject event) {
        Object value = event.getValue("time");
        long millis;
        if (value == null) {
            return EventTime.ARRIVAL;
        } else if (value instanceof Integer || value instanceof Long) {
            millis = ((Number) value).longValue();
        } else if (value instanceof String text) {
            try {
                millis = OffsetDateTime.parse(text, DateTimeFormatter.ISO_OFFSET_DATE_TIME).toInstant().toEpochMilli();
            } catch (DateTimeParseException | ArithmeticException e) {
                throw ApiProblem.invalid("'time' must be an RFC 3339 date and time with its offset (2018-04-01T00:00:31Z) "
                        + "or epoch milliseconds, got '" + Json.quote(text) + "'");
            }
        } else {
            throw ApiProblem.badRequest("'time' must be an RFC 3339 string or epoch milliseconds, got " + Json.describe(value));
        }
        if (millis < 0 || millis > LATEST_TIME) {
            throw ApiProblem.invalid("'time' must fall between 1970 and 9999, got " + millis + " ms since 1970");
        }
        return millis;
    }

    /**
     * The event's entity keys ({@code "keys": {"customer": "C17", "terminal": "T3"}}), in the order
     * the model declares them, null where one is not given; a key the model does not declare is a
     * 422. Keys name who or what an event is about (a card, a terminal): card precision and
     * aggregates group events by them. They are ids, not features: strings (an integer is read as
     * its text) of 1 to 256 characters.
     */
    public static List<String> keys(JsonObject event, List<String> declared) {
        JsonObject keys = Json.object(event, "keys", false);
        if (keys == null) {
            return declared.isEmpty() ? List.of() : java.util.Collections.nCopies(declared.size(), null);
        }
        Fields.only(keys, "'keys'", Set.copyOf(declared));
        List<String> values = new ArrayList<>(declared.size());
        for (String name : declared) {
            Object value = keys.getValue(name);
            if (value instanceof Integer || value instanceof Long) {
                value = value.toString();
            }
            if (value != null && !(value instanceof String)) {
                throw ApiProblem.badRequest("'keys." + name + "' must be a string, got " + Json.describe(value));
            }
            String text = (String) value;
            if (text != null && (text.isEmpty() || text.length() > MAX_ID_LENGTH)) {
                throw ApiProblem.invalid("'keys." + name + "' must have 1 to " + MAX_ID_LENGTH + " characters, got " + text.length());
            }
            values.add(text);
        }
        return values;
    }

    /** The index of the event's {@code label} among the schema's classes. */
    public static int classIndex(Schema schema, JsonObject event) {
        String label = Json.string(event, "label", true);
        try {
            return schema.classIndexOf(label);
        } catch (LearnerException e) {
            throw ApiProblem.invalid(e.getMessage().replace("'" + schema.className() + "': ", "'label': "));
        }
    }
}
