package io.vigie.server.http;

import io.vertx.core.Future;
import io.vertx.core.MultiMap;
import io.vertx.core.http.HttpClientRequest;
import io.vertx.core.json.JsonObject;
import java.util.ArrayList;
import java.util.List;
import io.vertx.core.Vertx;
import io.vertx.core.buffer.Buffer;
import io.vertx.core.http.HttpClient;
import io.vertx.core.http.HttpClientResponse;
import io.vertx.core.http.HttpMethod;
import io.vertx.core.http.HttpClientOptions;
import io.vertx.core.net.PemTrustOptions;
import io.vertx.core.http.RequestOptions;
import io.vertx.ext.web.Router;
import io.vertx.ext.web.RoutingContext;
import io.vigie.server.ApiProblem;
import io.vigie.server.cluster.Cluster;

import java.util.Locale;
import java.util.Set;
import java.util.function.Supplier;

/**
 * In a cluster, a request about one model is answered by the model's owner: an instance that does
 * not own it forwards the request as it came (key, body, request id) and relays the answer. A
 * forwarded request is marked, and is never forwarded again: an instance that receives one for a
 * model it does not own (the owners moved meanwhile) answers 503 with Retry-After, as it does
 * while a model has no owner. Creating and deleting a model are not forwarded: any instance makes
 * them through the cluster's control topic.
 */
public final class ClusterRouting {
    /** The header of a forwarded request: the address of the instance that forwarded it. */
    public static final String FORWARDED = "X-Vigie-Forwarded-By";
    private static final Set<String> HOP_BY_HOP = Set.of("connection", "keep-alive", "transfer-encoding", "content-length", "host",
            "expect", "upgrade", "te", "trailer", "proxy-connection");
    private static final int PREFIX = "/v1/models/".length();

    private final Vertx vertx;
    private final Supplier<Cluster> cluster;
    private HttpClient client;

    public ClusterRouting(Vertx vertx, Supplier<Cluster> cluster) {
        this.vertx = vertx;
        this.cluster = cluster;
    }

    /**
     * The client to the other instances, made at the first forward: a single instance never makes
     * one (making one takes an event loop in Vert.x's rotation, which the HTTP listeners deployed
     * next would then share).
     */
    private synchronized HttpClient client(Cluster member) {
        if (client == null) {
            HttpClientOptions options = new HttpClientOptions().setKeepAlive(true).setConnectTimeout(5_000);
            String trust = member.settings().trust();
            if (trust != null) { // the instances speak TLS: the owner's certificate is checked, its host name too
                options.setSsl(true).setVerifyHost(true).setTrustOptions(new PemTrustOptions().addCertPath(trust));
            }
            client = vertx.createHttpClient(options);
        }
        return client;
    }

    /** After the key and body are read, before the model routes. */
    public void mount(Router router) {
        router.routeWithRegex("/v1/models/[^/]+(/.*)?").handler(this::route);
    }

    private void route(RoutingContext ctx) {
        Cluster member = cluster.get();
        String path = ctx.request().path();
        int end = path.indexOf('/', PREFIX);
        String name = path.substring(PREFIX, end < 0 ? path.length() : end);
        boolean deletion = end < 0 && ctx.request().method() == HttpMethod.DELETE;
        boolean forwarded = ctx.request().getHeader(FORWARDED) != null;
        if (member != null && forwarded && !member.control().names().contains(name)) {
            // the instance that forwarded it knows the model: its definition is on its way here
            ctx.fail(ApiProblem.unavailable("model-moving", "model '" + name + "' is not known on its owner yet; try again", 1));
            return;
        }
        if (member == null || deletion || !member.control().names().contains(name) || member.ownership().owns(name)) {
            ctx.next(); // a single instance, a change for the control topic, a model the cluster lacks (404 here), or ours
            return;
        }
        String owner = member.ownership().owner(name);
        if (owner == null || forwarded) {
            ctx.fail(ApiProblem.unavailable("model-moving", "model '" + name + "' is moving to another instance of cluster '"
                    + member.settings().name() + "'; try again", 1));
            return;
        }
        forward(ctx, member, owner);
    }

    /** Where an instance answers a path: over TLS when the instances speak it. */
    private static String uri(Cluster member, String instance, String path) {
        return (member.settings().trust() != null ? "https://" : "http://") + instance + path;
    }

    private void forward(RoutingContext ctx, Cluster member, String owner) {
        RequestOptions options = new RequestOptions().setMethod(ctx.request().method())
                .setAbsoluteURI(uri(member, owner, ctx.request().uri())).setIdleTimeout(30_000);
        options.setHeaders(forwardedHeaders(ctx, member.ownership().self()));
        Buffer body = ctx.get(JsonBody.BODY);
        client(member).request(options)
                .compose(request -> body == null ? request.send() : request.send(body))
                .compose(response -> response.body().map(answer -> new Relayed(response, answer)))
                .onSuccess(relayed -> {
                    if (ctx.response().ended()) {
                        return;
                    }
                    ctx.response().setStatusCode(relayed.response().statusCode());
                    relayed.response().headers().names().forEach(ctx.response().headers()::remove);
                    copy(relayed.response().headers(), ctx.response().headers());
                    ctx.response().end(relayed.body());
                })
                .onFailure(failure -> {
                    if (!ctx.response().ended()) {
                        ctx.fail(ApiProblem.unavailable("owner-unreachable", "the instance that owns this model (" + owner
                                + ") did not answer: " + failure.getMessage(), 1));
                    }
                });
    }

    /**
     * The models the other instances own, from each one's list (a forwarded list is of the
     * instance's own models). An instance that does not answer leaves its models out; they are
     * listed as moving.
     */
    Future<List<JsonObject>> listElsewhere(RoutingContext ctx, Cluster member) {
        String self = member.ownership().self();
        List<Future<List<JsonObject>>> asked = new ArrayList<>();
        for (String instance : member.ownership().instances()) {
            if (instance.equals(self)) {
                continue;
            }
            RequestOptions options = new RequestOptions().setMethod(HttpMethod.GET).setAbsoluteURI(uri(member, instance, "/v1/models"))
                    .setIdleTimeout(10_000);
            options.setHeaders(forwardedHeaders(ctx, self));
            asked.add(client(member).request(options).compose(HttpClientRequest::send)
                    .compose(response -> response.statusCode() == 200 ? response.body()
                            : Future.failedFuture("answered " + response.statusCode()))
                    .map(body -> {
                        List<JsonObject> owned = new ArrayList<>();
                        for (Object model : new JsonObject(body).getJsonArray("models")) {
                            JsonObject summary = (JsonObject) model;
                            if (instance.equals(summary.getString("owner"))) {
                                owned.add(summary);
                            }
                        }
                        return owned;
                    })
                    .otherwise(List.of()));
        }
        return Future.all(asked).map(done -> {
            List<JsonObject> all = new ArrayList<>();
            asked.forEach(f -> all.addAll(f.result()));
            return all;
        });
    }

    private record Relayed(HttpClientResponse response, Buffer body) {
    }

    /** The request's own headers (its key, its request id), marked as forwarded by this instance. */
    private static MultiMap forwardedHeaders(RoutingContext ctx, String self) {
        MultiMap headers = MultiMap.caseInsensitiveMultiMap();
        copy(ctx.request().headers(), headers);
        return headers.set(FORWARDED, self);
    }

    private static void copy(MultiMap from, MultiMap to) {
        from.forEach((name, value) -> {
            if (!HOP_BY_HOP.contains(name.toLowerCase(Locale.ROOT))) {
                to.add(name, value);
            }
        });
    }
}
