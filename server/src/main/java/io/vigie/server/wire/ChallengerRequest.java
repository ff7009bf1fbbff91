package io.vigie.server.wire;

import io.vertx.core.json.JsonObject;
import io.vigie.learner.LearnerException;
import io.vigie.learner.ModelSpec;
import io.vigie.server.ApiProblem;
import io.vigie.server.model.Challenger;
import io.vigie.server.model.ModelDefinition;
import io.vigie.server.model.Scored;

import java.util.Set;

/**
 * {@code POST /v1/models/{name}/challengers}: {@code {"name", "model", "seed", "mode", "share",
 * "auto_promote": {"after_events", "p_value"}}}, checked: a name like a model's (not
 * {@code champion}), a model string, a 32-bit seed (default 1), mode {@code shadow} (the default,
 * no share) or {@code canary} with a share in (0, 1], and optionally an automatic promotion
 * policy (at least 100 events compared, a p-value in (0, 0.5], default 0.01).
 */
public record ChallengerRequest(String name, ModelSpec spec, Challenger.Mode mode, double share, Challenger.Promotion policy) {

    private static final Set<String> FIELDS = Set.of("name", "model", "seed", "mode", "share", "auto_promote");

    public static ChallengerRequest from(JsonObject body) {
        Fields.only(body, "the challenger", FIELDS);
        String name = Json.string(body, "name", true);
        if (!ModelDefinition.NAME.matcher(name).matches() || name.equals(Scored.CHAMPION)) {
            throw ApiProblem.invalid("'name' must be 1 to 64 lower-case letters, digits, '.', '_' or '-', starting with a "
                    + "letter or digit, and not '" + Scored.CHAMPION + "'; got '" + Json.quote(name) + "'");
        }
        String model = Json.string(body, "model", true);
        long seed = body.containsKey("seed") ? Json.integer(body, "seed") : ModelSpec.DEFAULT_SEED;
        if (seed < Integer.MIN_VALUE || seed > Integer.MAX_VALUE) {
            throw ApiProblem.invalid("'seed' must fit in 32 bits, got " + seed);
        }
        String modeText = body.containsKey("mode") ? Json.string(body, "mode", true) : Challenger.Mode.SHADOW.code();
        Challenger.Mode mode = Challenger.Mode.parse(modeText);
        if (mode == null) {
            throw ApiProblem.invalid("'mode' must be 'shadow' or 'canary', got '" + Json.quote(modeText) + "'");
        }
        double share = 0;
        if (body.containsKey("share")) {
            if (!(body.getValue("share") instanceof Number n)) {
                throw ApiProblem.badRequest("'share' must be a number");
            }
            share = n.doubleValue();
        }
        if (mode == Challenger.Mode.CANARY && !(share > 0 && share <= 1)) {
            throw ApiProblem.invalid("a canary needs a 'share' of requests in (0, 1], got " + share);
        }
        if (mode == Challenger.Mode.SHADOW && share != 0) {
            throw ApiProblem.invalid("a shadow challenger answers no request: leave 'share' out (or use mode 'canary')");
        }
        Challenger.Promotion policy = Challenger.Promotion.NEVER;
        if (body.containsKey("auto_promote")) {
            JsonObject auto = Json.object(body, "auto_promote", true);
            Fields.only(auto, "'auto_promote'", Set.of("after_events", "p_value"));
            long after = Json.integer(auto, "after_events");
            double below = 0.01;
            if (auto.containsKey("p_value")) {
                if (!(auto.getValue("p_value") instanceof Number n)) {
                    throw ApiProblem.badRequest("'auto_promote.p_value' must be a number");
                }
                below = n.doubleValue();
            }
            if (after < 100 || !(below > 0 && below <= 0.5)) {
                throw ApiProblem.invalid("'auto_promote' needs 'after_events' >= 100 and a 'p_value' in (0, 0.5]; got "
                        + after + " and " + below);
            }
            policy = new Challenger.Promotion(after, below);
        }
        try {
            return new ChallengerRequest(name, new ModelSpec(model, (int) seed), mode, share, policy);
        } catch (LearnerException e) {
            throw ApiProblem.invalid(e.getMessage());
        }
    }

    public JsonObject toJson() {
        JsonObject json = new JsonObject().put("name", name).put("model", spec.model()).put("seed", spec.seed()).put("mode", mode.code())
                .put("share", share);
        return policy.automatic() ? json.put("auto_promote", new JsonObject().put("after_events", policy.afterEvents())
                .put("p_value", policy.belowPValue())) : json;
    }
}
