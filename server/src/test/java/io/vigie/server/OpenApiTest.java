package io.vigie.server;

import io.swagger.v3.parser.OpenAPIV3Parser;
import io.swagger.v3.parser.core.models.ParseOptions;
import io.swagger.v3.parser.core.models.SwaggerParseResult;
import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;
import io.vertx.json.schema.Draft;
import io.vertx.json.schema.JsonSchema;
import io.vertx.json.schema.JsonSchemaOptions;
import io.vertx.json.schema.OutputFormat;
import io.vertx.json.schema.OutputUnit;
import io.vertx.json.schema.SchemaRepository;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.net.http.HttpResponse;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Locale;
import java.util.Random;
import java.util.Set;
import java.util.TreeSet;
import java.util.regex.Pattern;

import static io.vigie.server.TestService.expect;
import static org.junit.jupiter.api.Assertions.assertEquals;

/**
 * The OpenAPI document the service serves is one that tools accept (swagger-parser, the reader
 * behind client generators, finds nothing to say), names exactly the routes the service answers,
 * and describes what they really answer: a walk through every route, successes and refusals,
 * checks each status, content type and body against the document's schemas (JSON Schema
 * 2020-12, OpenAPI 3.1's dialect), and each request body it sent against the request's schema.
 */
class OpenApiTest {
    private static final String BASE = "https://vigie.dev/";

    @TempDir
    Path dataDir;

    private static JsonObject document;

    @BeforeAll
    static void readTheDocument() throws Exception {
        try (java.io.InputStream in = OpenApiTest.class.getResourceAsStream("/openapi.json")) {
            document = new JsonObject(new String(in.readAllBytes(), java.nio.charset.StandardCharsets.UTF_8));
        }
    }

    @Test
    void aValidatorFindsNothingToSay() {
        ParseOptions options = new ParseOptions();
        options.setResolve(true);
        SwaggerParseResult result = new OpenAPIV3Parser().readContents(document.encode(), null, options);
        assertEquals(List.of(), result.getMessages());
        assertEquals("3.1.0", document.getString("openapi"));
    }

    @Test
    void everyOperationHasAnIdAndEveryBodyASchema() {
        Set<String> ids = new HashSet<>();
        List<String> missing = new ArrayList<>();
        JsonObject paths = document.getJsonObject("paths");
        for (String path : paths.fieldNames()) {
            for (String method : paths.getJsonObject(path).fieldNames()) {
                if (method.equals("parameters")) {
                    continue;
                }
                JsonObject operation = paths.getJsonObject(path).getJsonObject(method);
                String where = method.toUpperCase(Locale.ROOT) + " " + path;
                String id = operation.getString("operationId");
                if (id == null || !ids.add(id)) {
                    missing.add(where + ": no operationId or one used twice (" + id + ")");
                }
                JsonObject requestBody = resolve(operation.getJsonObject("requestBody"));
                if (requestBody != null) {
                    requestBody.getJsonObject("content").forEach(c -> {
                        if (!((JsonObject) c.getValue()).containsKey("schema")) {
                            missing.add(where + ": request " + c.getKey() + " has no schema");
                        }
                    });
                }
                JsonObject responses = operation.getJsonObject("responses");
                for (String status : responses.fieldNames()) {
                    JsonObject response = resolve(responses.getJsonObject(status));
                    JsonObject content = response.getJsonObject("content");
                    if (content == null) {
                        if (!status.equals("204")) {
                            missing.add(where + ": " + status + " has no content");
                        }
                        continue;
                    }
                    content.forEach(c -> {
                        if (!((JsonObject) c.getValue()).containsKey("schema")) {
                            missing.add(where + ": " + status + " " + c.getKey() + " has no schema");
                        }
                    });
                }
            }
        }
        assertEquals(List.of(), missing);
    }

    @Test
    void theDocumentAndTheRouterAgree() throws Exception {
        try (TestService service = new TestService(dataDir)) {
            JsonObject served = expect(200, service.send("GET", "/openapi.json", null, null));
            assertEquals(document, served);
            assertEquals(new TreeSet<>(service.routeTable()), new TreeSet<>(operations().keySet()));
        }
    }

    /** Every route, answering as it does for real (successes and refusals), checked against the document. */
    @Test
    void everyRouteAnswersAsDocumented() throws Exception {
        List<Exchange> exchanges = new ArrayList<>();
        try (TestService service = new TestService(dataDir)) {
            Walk walk = new Walk(service, exchanges);
            walk.call("GET", "/", null, null);
            walk.call("GET", "/health/live", null, null);
            walk.call("GET", "/health/ready", null, null);
            walk.call("GET", "/metrics", null, null);
            walk.call("GET", "/openapi.json", null, null);

            JsonObject created = walk.admin("POST", "/v1/keys", new JsonObject().put("roles", new JsonArray().add("predict")));
            String predictKey = created.getString("key");
            walk.admin("POST", "/v1/keys", new JsonObject().put("roles", new JsonArray().add("owner")));
            JsonObject scoped = walk.admin("POST", "/v1/keys", new JsonObject().put("roles", new JsonArray().add("read"))
                    .put("models", new JsonArray().add("cards")).put("expires_at", "2999-01-01T00:00:00Z"));
            walk.admin("GET", "/v1/keys", null);
            walk.call("GET", "/v1/keys", scoped.getString("key"), null);
            walk.admin("DELETE", "/v1/keys/" + scoped.getString("id"), null);
            walk.admin("DELETE", "/v1/keys/" + scoped.getString("id"), null);
            walk.call("POST", "/v1/keys", null, new JsonObject().put("roles", new JsonArray().add("read")));
            walk.call("POST", "/v1/keys", predictKey, new JsonObject().put("roles", new JsonArray().add("read")));

            walk.admin("POST", "/v1/models", ServiceApiTest.modelRequest("cards", "committee"));
            walk.admin("POST", "/v1/models", ServiceApiTest.modelRequest("cards", "committee"));
            walk.admin("POST", "/v1/models", ServiceApiTest.modelRequest("other", "no.such.Learner"));
            walk.call("POST", "/v1/models", TestService.ADMIN, "{\"name\": ");
            walk.admin("GET", "/v1/models", null);
            walk.admin("GET", "/v1/models/cards", null);
            walk.admin("GET", "/v1/models/nothing", null);

            Random random = new Random(3);
            List<String> ids = new ArrayList<>();
            for (int i = 0; i < 40; i++) {
                String id = "tx" + i;
                JsonObject features = ServiceApiTest.features(random);
                walk.admin("POST", "/v1/models/cards/predict" + (i == 0 ? "?explain=true" : ""),
                        new JsonObject().put("id", id).put("features", features));
                walk.admin("POST", "/v1/models/cards/labels", new JsonObject().put("id", id).put("label", ServiceApiTest.truth(features)));
                ids.add(id);
            }
            walk.admin("POST", "/v1/models/cards/predict", new JsonObject().put("id", "tx0")
                    .put("features", ServiceApiTest.features(random)));
            walk.admin("POST", "/v1/models/cards/predict", new JsonObject().put("id", "bad")
                    .put("features", new JsonObject().put("amount", "lots")));
            JsonArray events = new JsonArray();
            for (int i = 0; i < 5; i++) {
                events.add(new JsonObject().put("id", "b" + i).put("features", ServiceApiTest.features(random)));
            }
            walk.admin("POST", "/v1/models/cards/predict/batch", new JsonObject().put("events", events));
            walk.admin("POST", "/v1/models/cards/predict/batch", new JsonObject().put("events", new JsonArray().add(42)));
            walk.admin("POST", "/v1/models/cards/labels", new JsonObject().put("labels", new JsonArray()
                    .add(new JsonObject().put("id", "b0").put("label", "ok"))
                    .add(new JsonObject().put("id", "never-scored").put("label", "ok"))
                    .add(new JsonObject().put("id", "b1").put("label", "maybe"))));
            walk.admin("POST", "/v1/models/cards/labels", new JsonObject().put("id", "never-scored").put("label", "ok"));
            walk.admin("POST", "/v1/models/cards/events", new JsonObject().put("id", "e0")
                    .put("features", ServiceApiTest.features(random)).put("label", "fraud"));
            walk.admin("POST", "/v1/models/cards/events", new JsonObject().put("events", new JsonArray()
                    .add(new JsonObject().put("id", "e1").put("features", ServiceApiTest.features(random)).put("label", "ok"))
                    .add(new JsonObject().put("id", "e0").put("features", ServiceApiTest.features(random)).put("label", "ok"))));
            for (int b = 0; b < 2; b++) { // enough for a timeline point and an input check
                JsonArray scorings = new JsonArray();
                JsonArray truths = new JsonArray();
                for (int i = 0; i < 1000; i++) {
                    JsonObject features = ServiceApiTest.features(random);
                    scorings.add(new JsonObject().put("id", "w" + b + "-" + i).put("features", features));
                    truths.add(new JsonObject().put("id", "w" + b + "-" + i).put("label", ServiceApiTest.truth(features)));
                }
                expect(200, service.post("/v1/models/cards/predict/batch", new JsonObject().put("events", scorings)));
                expect(202, service.post("/v1/models/cards/labels", new JsonObject().put("labels", truths)));
            }
            walk.admin("GET", "/v1/models/cards/predictions/tx1", null);
            walk.admin("GET", "/v1/models/cards/predictions/b2", null);
            walk.admin("GET", "/v1/models/cards/predictions/nobody", null);
            walk.admin("GET", "/v1/models/cards/drifts", null);
            walk.admin("GET", "/v1/models/cards/timeline", null);

            long older = walk.admin("POST", "/v1/models/cards/versions", null).getLong("version");
            walk.admin("POST", "/v1/models/cards/events", new JsonObject().put("id", "e2")
                    .put("features", ServiceApiTest.features(random)).put("label", "ok"));
            long newer = walk.admin("POST", "/v1/models/cards/versions", null).getLong("version");
            walk.admin("GET", "/v1/models/cards/versions", null);
            walk.admin("GET", "/v1/models/cards/versions/" + newer + "/snapshot", null);
            walk.admin("GET", "/v1/models/cards/versions/99999/snapshot", null);
            walk.admin("POST", "/v1/models/cards/rollback", new JsonObject().put("version", newer));
            walk.admin("POST", "/v1/models/cards/rollback", new JsonObject().put("version", "latest"));
            walk.admin("POST", "/v1/models/cards/rollback", new JsonObject().put("version", 123456));
            walk.admin("DELETE", "/v1/models/cards/versions/" + newer, null);
            walk.admin("DELETE", "/v1/models/cards/versions/" + older, null);
            walk.admin("DELETE", "/v1/models/cards/versions/" + older, null);

            walk.admin("POST", "/v1/models/cards/challengers", new JsonObject().put("name", "forest").put("model", "arf")
                    .put("mode", "canary").put("share", 0.5));
            walk.admin("POST", "/v1/models/cards/challengers", new JsonObject().put("name", "bayes").put("model", "nb"));
            walk.admin("POST", "/v1/models/cards/challengers", new JsonObject().put("name", "forest").put("model", "ht"));
            walk.admin("POST", "/v1/models/cards/predict", new JsonObject().put("id", "c0").put("features", ServiceApiTest.features(random)));
            walk.admin("GET", "/v1/models/cards/predictions/c0", null);
            walk.admin("POST", "/v1/models/cards/labels", new JsonObject().put("id", "c0").put("label", "ok"));
            walk.admin("GET", "/v1/models/cards", null);
            walk.admin("GET", "/v1/models/cards/comparison", null);
            walk.admin("DELETE", "/v1/models/cards/challengers/bayes", null);
            walk.admin("DELETE", "/v1/models/cards/challengers/nobody", null);
            walk.admin("POST", "/v1/models/cards/promote", new JsonObject().put("challenger", "forest"));
            walk.admin("POST", "/v1/models/cards/promote", new JsonObject().put("challenger", "forest"));
            walk.admin("GET", "/v1/audit?limit=5", null);
            walk.admin("GET", "/v1/audit?limit=none", null);
            JsonObject badFlag = walk.admin("POST", "/v1/models/cards/predict?explain=maybe", new JsonObject().put("id", "q")
                    .put("features", ServiceApiTest.features(random)));
            assertEquals("https://vigie.dev/problems/bad-parameter", badFlag.getString("type"), "a query parameter's own problem");
            walk.call("PUT", "/v1/models/cards", TestService.ADMIN, "{}");
            walk.admin("DELETE", "/v1/models/cards", null);
            walk.admin("DELETE", "/v1/models/cards", null);
        }

        JsonObject strict = strict(document.copy());
        SchemaRepository schemas = SchemaRepository.create(new JsonSchemaOptions().setDraft(Draft.DRAFT202012)
                .setBaseUri(BASE).setOutputFormat(OutputFormat.Basic));
        schemas.dereference("openapi.json", JsonSchema.of(strict));
        java.util.Map<String, String> operations = operations();
        Set<String> called = new TreeSet<>();
        List<String> wrong = new ArrayList<>();
        for (Exchange e : exchanges) {
            String operationKey = operationOf(e.method(), e.path());
            if (operationKey == null) {
                assertEquals(405, e.status(), e.method() + " " + e.path() + " is not documented");
                continue;
            }
            called.add(operationKey);
            String pointer = "/paths/" + escape(operations.get(operationKey)) + "/" + e.method().toLowerCase(Locale.ROOT);
            JsonObject operation = (JsonObject) strict.getJsonObject("paths").getJsonObject(operations.get(operationKey))
                    .getValue(e.method().toLowerCase(Locale.ROOT));
            if (e.request() != null && e.request().startsWith("{") && e.status() / 100 == 2) {
                check(schemas, wrong, e, "request", pointer + "/requestBody/content/application~1json/schema",
                        new JsonObject(e.request()));
            }
            JsonObject responses = operation.getJsonObject("responses");
            String status = String.valueOf(e.status());
            if (!responses.containsKey(status)) {
                wrong.add(e + ": status not documented");
                continue;
            }
            JsonObject response = resolve(responses.getJsonObject(status));
            if (response.containsKey("headers")) {
                for (String header : response.getJsonObject("headers").fieldNames()) {
                    if (e.headers().firstValue(header).isEmpty()) {
                        wrong.add(e + ": no " + header + " header");
                    }
                }
            }
            JsonObject content = response.getJsonObject("content");
            if (content == null) {
                if (!e.body().isEmpty()) {
                    wrong.add(e + ": a body where the document says none");
                }
                continue;
            }
            String type = e.contentType() == null ? "" : e.contentType().split(";")[0].trim();
            if (!content.containsKey(type)) {
                wrong.add(e + ": content type " + type + " not documented, only " + content.fieldNames());
                continue;
            }
            if (type.endsWith("json")) {
                String responsePointer = responses.getJsonObject(status).containsKey("$ref")
                        ? responses.getJsonObject(status).getString("$ref").substring(1)
                        : pointer + "/responses/" + status;
                check(schemas, wrong, e, "response", responsePointer + "/content/" + escape(type) + "/schema",
                        io.vertx.core.json.Json.decodeValue(e.body()));
            }
        }
        assertEquals(List.of(), wrong);
        assertEquals(new TreeSet<>(operations.keySet()), called, "every documented operation is called");
    }

    private static void check(SchemaRepository schemas, List<String> wrong, Exchange e, String what, String pointer, Object json) {
        OutputUnit result = schemas.validator(JsonSchema.of(new JsonObject().put("$ref", BASE + "openapi.json#" + pointer)))
                .validate(json);
        if (!result.getValid()) {
            StringBuilder errors = new StringBuilder();
            if (result.getErrors() != null) {
                for (OutputUnit u : result.getErrors()) {
                    errors.append("\n    ").append(u.getInstanceLocation()).append(": ").append(u.getError());
                }
            }
            wrong.add(e + ": " + what + " does not match " + pointer + errors);
        }
    }

    /**
     * The document with every object schema that lists its properties closed to others, so that a
     * field an answer carries and the document does not name is found (the served document stays open,
     * so that clients read answers with new fields).
     */
    private static JsonObject strict(JsonObject json) {
        if (json.containsKey("properties") && !json.containsKey("additionalProperties")) {
            json.put("additionalProperties", false);
        }
        json.forEach(entry -> {
            if (entry.getValue() instanceof JsonObject o) {
                strict(o);
            } else if (entry.getValue() instanceof JsonArray a) {
                a.forEach(item -> {
                    if (item instanceof JsonObject o) {
                        strict(o);
                    }
                });
            }
        });
        return json;
    }

    /** "METHOD /path/{param}" to the path as the document spells it. */
    private static java.util.Map<String, String> operations() {
        java.util.Map<String, String> operations = new java.util.TreeMap<>();
        JsonObject paths = document.getJsonObject("paths");
        for (String path : paths.fieldNames()) {
            for (String method : paths.getJsonObject(path).fieldNames()) {
                if (!method.equals("parameters")) {
                    operations.put(method.toUpperCase(Locale.ROOT) + " " + path, path);
                }
            }
        }
        return operations;
    }

    private static String operationOf(String method, String path) {
        String bare = path.split("\\?")[0];
        for (String key : operations().keySet()) {
            String[] parts = key.split(" ", 2);
            String regex = parts[1].replaceAll("\\{[^}]+}", "[^/]+");
            if (parts[0].equals(method) && Pattern.matches(regex, bare)) {
                return key;
            }
        }
        return null;
    }

    private static JsonObject resolve(JsonObject maybeRef) {
        if (maybeRef == null || !maybeRef.containsKey("$ref")) {
            return maybeRef;
        }
        JsonObject at = document;
        for (String part : maybeRef.getString("$ref").substring(2).split("/")) {
            at = at.getJsonObject(part.replace("~1", "/").replace("~0", "~"));
        }
        return at;
    }

    private static String escape(String pointerPart) {
        return pointerPart.replace("~", "~0").replace("/", "~1").replace("{", "%7B").replace("}", "%7D");
    }

    private record Exchange(String method, String path, String request, int status, java.net.http.HttpHeaders headers,
                            String contentType, String body) {
        @Override
        public String toString() {
            return method + " " + path + " -> " + status;
        }
    }

    /** Calls the service and keeps each exchange for the check. */
    private record Walk(TestService service, List<Exchange> exchanges) {
        JsonObject admin(String method, String path, JsonObject body) throws Exception {
            return call(method, path, TestService.ADMIN, body == null ? null : body.encode());
        }

        /** {@code body}: a JSON object, a text sent as it is (malformed JSON), or null. */
        JsonObject call(String method, String path, String key, Object bodyOrText) throws Exception {
            String body = bodyOrText instanceof JsonObject json ? json.encode() : (String) bodyOrText;
            HttpResponse<String> response = service.send(method, path, key, body);
            exchanges.add(new Exchange(method, path, body, response.statusCode(), response.headers(),
                    response.headers().firstValue("Content-Type").orElse(null), response.body()));
            String text = response.body();
            return text.startsWith("{") ? new JsonObject(text) : new JsonObject();
        }
    }
}
