package io.vigie.server.wire;

import io.vertx.core.json.JsonObject;
import io.vigie.server.ApiProblem;

import java.util.Collection;
import java.util.Comparator;
import java.util.Set;

/**
 * The fields an object in a request may carry. A field the service does not know is refused by
 * name (422) with the nearest known one suggested, so that a typo ({@code "modle"}) is not taken
 * silently for a default.
 */
public final class Fields {
    private static final int MAX_SUGGESTED_EDITS = 3;

    private Fields() {
    }

    /** @throws ApiProblem 422 naming the first field of {@code json} that is not in {@code known} */
    public static void only(JsonObject json, String what, Set<String> known) {
        if (json.size() <= known.size() && known.containsAll(json.fieldNames())) {
            return; // the common case, checked without building a message
        }
        for (String field : json.fieldNames()) {
            if (!known.contains(field)) {
                String closest = closest(field, known);
                throw ApiProblem.invalid("unknown field '" + Json.quote(field) + "' in " + what
                        + (closest == null ? "" : "; did you mean '" + closest + "'?") + " The fields are: "
                        + String.join(", ", known.stream().sorted().toList()));
            }
        }
    }

    /** The candidate nearest to {@code name}, if it is within a few edits of it; else null. */
    public static String closest(String name, Collection<String> candidates) {
        String best = candidates.stream().min(Comparator.comparingInt(c -> distance(c, name))).orElse(null);
        return best != null && distance(best, name) <= MAX_SUGGESTED_EDITS ? best : null;
    }

    /** Edit distance (Levenshtein). */
    static int distance(String a, String b) {
        int[] previous = new int[b.length() + 1];
        int[] current = new int[b.length() + 1];
        for (int j = 0; j <= b.length(); j++) {
            previous[j] = j;
        }
        for (int i = 1; i <= a.length(); i++) {
            current[0] = i;
            for (int j = 1; j <= b.length(); j++) {
                int substitution = previous[j - 1] + (a.charAt(i - 1) == b.charAt(j - 1) ? 0 : 1);
                current[j] = Math.min(substitution, Math.min(previous[j], current[j - 1]) + 1);
            }
            int[] swap = previous;
            previous = current;
            current = swap;
        }
        return previous[b.length()];
    }
}
