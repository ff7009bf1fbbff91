package io.vigie.client;

/**
 * Every operation of the service's OpenAPI document ({@code GET /openapi.json}): its operationId,
 * method, path template and the status it answers on success. The server's build checks that
 * this list and the document agree (JavaClientTest), so a route added to one must be added to the other.
 */
public enum Operation {
    ANALYST_PAGE("analystPage", "GET", "/", 200),
    LIVE("live", "GET", "/health/live", 200),
    READY("ready", "GET", "/health/ready", 200),
    METRICS("metrics", "GET", "/metrics", 200),
    OPEN_API("openApi", "GET", "/openapi.json", 200),
    CREATE_KEY("createKey", "POST", "/v1/keys", 201),
    LIST_KEYS("listKeys", "GET", "/v1/keys", 200),
    REVOKE_KEY("revokeKey", "DELETE", "/v1/keys/{id}", 204),
    CREATE_MODEL("createModel", "POST", "/v1/models", 201),
    LIST_MODELS("listModels", "GET", "/v1/models", 200),
    GET_MODEL("getModel", "GET", "/v1/models/{name}", 200),
    DELETE_MODEL("deleteModel", "DELETE", "/v1/models/{name}", 204),
    PREDICT("predict", "POST", "/v1/models/{name}/predict", 200),
    PREDICT_BATCH("predictBatch", "POST", "/v1/models/{name}/predict/batch", 200),
    POST_LABELS("postLabels", "POST", "/v1/models/{name}/labels", 202),
    POST_EVENTS("postEvents", "POST", "/v1/models/{name}/events", 202),
    GET_STORED_PREDICTION("getStoredPrediction", "GET", "/v1/models/{name}/predictions/{id}", 200),
    GET_DRIFTS("getDrifts", "GET", "/v1/models/{name}/drifts", 200),
    GET_TIMELINE("getTimeline", "GET", "/v1/models/{name}/timeline", 200),
    LIST_VERSIONS("listVersions", "GET", "/v1/models/{name}/versions", 200),
    CREATE_VERSION("createVersion", "POST", "/v1/models/{name}/versions", 201),
    DELETE_VERSION("deleteVersion", "DELETE", "/v1/models/{name}/versions/{version}", 204),
    GET_SNAPSHOT("getSnapshot", "GET", "/v1/models/{name}/versions/{version}/snapshot", 200),
    ROLLBACK("rollback", "POST", "/v1/models/{name}/rollback", 200),
    ADD_CHALLENGER("addChallenger", "POST", "/v1/models/{name}/challengers", 201),
    REMOVE_CHALLENGER("removeChallenger", "DELETE", "/v1/models/{name}/challengers/{challenger}", 204),
    GET_COMPARISON("getComparison", "GET", "/v1/models/{name}/comparison", 200),
    PROMOTE("promote", "POST", "/v1/models/{name}/promote", 200),
    LIST_AUDIT("listAudit", "GET", "/v1/audit", 200);

    private final String id;
    private final String method;
    private final String path;
    private final int success;

    Operation(String id, String method, String path, int success) {
        this.id = id;
        this.method = method;
        this.path = path;
        this.success = success;
    }

    /** The operationId in the document. */
    public String id() {
        return id;
    }

    public String method() {
        return method;
    }

    /** The path template, parameters in braces: {@code /v1/models/{name}}. */
    public String path() {
        return path;
    }

    /** The status of a successful answer. */
    public int success() {
        return success;
    }

    /** The path with {@code values} in place of its parameters, in order, each percent-encoded. */
    String path(String... values) {
        StringBuilder filled = new StringBuilder();
        int at = 0;
        int next = 0;
        for (int open = path.indexOf('{'); open >= 0; open = path.indexOf('{', at)) {
            if (next == values.length) {
                throw new IllegalArgumentException(id + " needs a value for each parameter of " + path);
            }
            filled.append(path, at, open).append(java.net.URLEncoder.encode(values[next++], java.nio.charset.StandardCharsets.UTF_8)
                    .replace("+", "%20"));
            at = path.indexOf('}', open) + 1;
        }
        if (next != values.length) {
            throw new IllegalArgumentException(id + " takes " + next + " path values, got " + values.length);
        }
        return filled.append(path.substring(at)).toString();
    }
}
