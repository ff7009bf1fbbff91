package io.vigie.server.http;

import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;
import io.vigie.server.ApiProblem;

import java.util.ArrayList;
import java.util.List;
import io.vigie.server.model.Outcome;
import io.vigie.server.model.ItemResult;

/**
 * The items of a batch (events to score, labels, labelled events): those that passed the checks
 * go to the model, the others keep their problem, and the answer lists every item in request
 * order with its own status.
 */
final class Batch<T> {
    private final JsonObject[] results;
    private final List<T> accepted = new ArrayList<>();
    private final List<Integer> positions = new ArrayList<>();

    Batch(int size) {
        results = new JsonObject[size];
    }

    /**
     * Checks each item of a batch with {@code check}: those that pass are accepted, the others
     * (and any item that is not an object: {@code notAnObject}) keep their problem.
     */
    static <T> Batch<T> check(JsonArray items, String notAnObject, java.util.function.Function<JsonObject, T> check) {
        Batch<T> batch = new Batch<>(items.size());
        for (int i = 0; i < items.size(); i++) {
            JsonObject item = items.getValue(i) instanceof JsonObject o ? o : null;
            try {
                if (item == null) {
                    throw ApiProblem.badRequest(notAnObject);
                }
                batch.accept(i, check.apply(item));
            } catch (ApiProblem problem) {
                batch.refuse(i, item, problem);
            }
        }
        return batch;
    }

    void accept(int position, T item) {
        accepted.add(item);
        positions.add(position);
    }

    void refuse(int position, JsonObject item, ApiProblem problem) {
        Object id = item == null ? null : item.getValue("id");
        results[position] = new JsonObject().put("id", id instanceof String || id instanceof Number ? id.toString() : null)
                .put("status", problem.status()).put("outcome", "invalid").put("detail", problem.getMessage());
    }

    List<T> accepted() {
        return accepted;
    }

    /**
     * The status of the whole answer: 202 if any item was learned; else the status all items
     * share, or 422 when they differ. A batch of which nothing was accepted is not accepted.
     */
    static int status(JsonObject answer) {
        return answer.getInteger("learned") > 0 ? 202 : sharedStatus(answer.getJsonArray("results"));
    }

    /** The answers to the accepted items, in their order, placed among the refused items' problems. */
    JsonArray answers(List<JsonObject> accepted) {
        for (int i = 0; i < accepted.size(); i++) {
            results[positions.get(i)] = accepted.get(i);
        }
        JsonArray all = new JsonArray();
        for (JsonObject result : results) {
            all.add(result);
        }
        return all;
    }

    /** The status of a batch of which no item was accepted: the one its items share, or 422 when they differ. */
    int refusedStatus() {
        return sharedStatus(java.util.Arrays.asList(results));
    }

    /** The status items that were all refused share, or 422 when they differ. */
    private static int sharedStatus(Iterable<?> items) {
        java.util.Set<Integer> statuses = new java.util.TreeSet<>();
        items.forEach(item -> statuses.add(((JsonObject) item).getInteger("status")));
        return statuses.size() == 1 ? statuses.iterator().next() : 422;
    }

    /** The whole answer once the model has handled the accepted items. */
    JsonObject results(List<ItemResult> outcomes) {
        int learned = 0;
        for (int i = 0; i < outcomes.size(); i++) {
            ItemResult result = outcomes.get(i);
            JsonObject json = new JsonObject().put("id", result.id());
            if (result.outcome() == Outcome.LEARNED) {
                learned++;
                json.put("status", 202).put("outcome", "learned").put("version", result.version());
            } else if (result.outcome() == Outcome.CONFIRMED) {
                json.put("status", 202).put("outcome", "confirmed");
            } else {
                ApiProblem problem = problem(result);
                if (problem.status() >= 500) {
                    throw problem; // the log failed: nothing in this batch was learned, the client retries it whole
                }
                json.put("status", problem.status()).put("outcome", outcomeCode(result.outcome())).put("detail", problem.getMessage());
            }
            results[positions.get(i)] = json;
        }
        JsonArray all = new JsonArray();
        for (JsonObject result : results) {
            all.add(result);
        }
        return new JsonObject().put("learned", learned).put("results", all);
    }

    static String outcomeCode(Outcome outcome) {
        return switch (outcome) {
            case LEARNED -> "learned";
            case UNKNOWN_ID -> "unknown_id";
            case DUPLICATE -> "duplicate";
            case LATE -> "late";
            case NOT_LOGGED -> "not_logged";
            case ALREADY_LOGGED -> "already_logged";
            case CONFIRMED -> "confirmed";
        };
    }

    /** The problem a label that was not learned stands for. */
    static ApiProblem problem(ItemResult result) {
        return switch (result.outcome()) {
            case UNKNOWN_ID -> ApiProblem.notFound("unknown-id", "no scored event has id '" + result.id()
                    + "' (never scored, or expired)");
            case DUPLICATE -> ApiProblem.conflict("duplicate-label", "the event '" + result.id() + "' is already labelled");
            case LATE -> ApiProblem.gone("late-label", "the label for '" + result.id() + "' came after the model's label TTL");
            case NOT_LOGGED -> result.problem() != null ? result.problem() : ApiProblem.unavailable("log-write-failed",
                    "the label for '" + result.id() + "' could not be logged; nothing was learned, retry", 5);
            case ALREADY_LOGGED, LEARNED, CONFIRMED -> throw new IllegalArgumentException(result.outcome() + " is not a problem");
        };
    }
}
