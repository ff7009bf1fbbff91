package io.vigie.server.wire;

import com.yahoo.labs.samoa.instances.Instance;
import io.vertx.core.json.JsonObject;
import io.vigie.learner.LearnerException;
import io.vigie.learner.Schema;
import io.vigie.server.ApiProblem;

import java.text.Normalizer;
import java.util.Set;

/** Reads an event's id, features and label against a model's schema, the same way for HTTP and Kafka; 4xx when they do not fit. */
public final class EventJson {
    /** Event ids go into RocksDB keys and logs: bounded. */
    static final int MAX_ID_LENGTH = 256;
    /** The fields of an event to score, of a label and of a labelled event (on Kafka, each names its model too). */
    public static final Set<String> TO_SCORE = Set.of("id", "features");
    public static final Set<String> LABEL = Set.of("id", "label");
    public static final Set<String> LABELLED = Set.of("id", "features", "label");

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
