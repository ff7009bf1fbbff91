package io.vigie.server.model;

import com.yahoo.labs.samoa.instances.Instance;
import io.vertx.core.json.JsonObject;
import io.vigie.learner.LearnerException;
import io.vigie.learner.Schema;
import io.vigie.server.ApiProblem;

/** Reads an event's features and label against a model's schema, the same way for HTTP and Kafka; 422 when they do not fit. */
public final class EventJson {
    private EventJson() {
    }

    /** The event's {@code features} object as an instance of the schema. */
    public static Instance instance(Schema schema, JsonObject event) {
        JsonObject features = Json.object(event, "features", true);
        try {
            return schema.toInstance(features.getMap());
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
