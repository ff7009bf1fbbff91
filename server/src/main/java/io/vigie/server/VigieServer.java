package io.vigie.server;

import io.micrometer.core.instrument.Meter;
import io.micrometer.core.instrument.binder.jvm.ClassLoaderMetrics;
import io.micrometer.core.instrument.binder.jvm.JvmGcMetrics;
import io.micrometer.core.instrument.binder.jvm.JvmMemoryMetrics;
import io.micrometer.core.instrument.binder.jvm.JvmThreadMetrics;
import io.micrometer.core.instrument.binder.system.ProcessorMetrics;
import io.micrometer.core.instrument.binder.system.UptimeMetrics;
import io.micrometer.core.instrument.config.MeterFilter;
import io.micrometer.prometheusmetrics.PrometheusConfig;
import io.micrometer.prometheusmetrics.PrometheusMeterRegistry;
import io.vertx.core.Future;
import io.vertx.core.Promise;
import io.vertx.core.VerticleBase;
import io.vertx.core.DeploymentOptions;
import io.vertx.core.http.HttpServer;
import io.vertx.core.http.HttpServerOptions;
import io.vertx.core.net.PemKeyCertOptions;
import io.micrometer.core.instrument.Gauge;
import io.vigie.server.store.DataDirMeters;
import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;
import io.vertx.ext.web.Router;
import io.vertx.ext.web.RoutingContext;
import io.vertx.ext.web.handler.StaticHandler;
import io.vigie.learner.LearningThreads;
import io.vigie.server.audit.AuditLog;
import io.vigie.server.auth.ApiKeys;
import io.vigie.server.http.Api;
import io.vigie.server.http.FrontDoor;
import io.vigie.server.http.RequestTimer;
import io.vigie.server.http.RouteTable;
import io.vigie.server.http.ReplicaApi;
import io.vigie.server.cluster.Cluster;
import io.vigie.server.cluster.ClusterSettings;
import io.vigie.server.kafka.IngestHealth;
import io.vigie.server.kafka.KafkaIngest;
import io.vigie.server.kafka.KafkaSettings;
import io.vigie.server.kafka.ReplicaModels;
import io.vigie.server.kafka.VersionPublisher;
import io.vigie.server.model.Models;
import io.vigie.server.model.VersionRetention;
import io.vigie.server.store.DataDirLock;
import io.vigie.server.model.WriterSettings;
import io.vigie.server.wire.DefinitionJson;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Clock;
import java.util.Locale;
import java.util.concurrent.TimeUnit;
import java.util.function.Supplier;

/**
 * The service verticle: opens the data dir (keys, models, their logs and snapshots) on a worker
 * thread while the port already answers health checks, then serves the API.
 *
 * <p>Configuration (JSON, all optional): {@code port} (8080; 0 picks a free one), {@code host}
 * (127.0.0.1), {@code data_dir} (./vigie-data), {@code admin_key} (the bootstrap admin key, from
 * VIGIE_ADMIN_KEY), {@code max_batch} (1000 items), {@code max_body_bytes} (4 MiB),
 * {@code snapshot_every} (100,000 logged events), {@code queue_capacity} (10,000 requests per model),
 * {@code request_timeout_ms} (30,000).
 */
public final class VigieServer extends VerticleBase {
    private static final Logger LOG = LoggerFactory.getLogger(VigieServer.class);
    private final PrometheusMeterRegistry registry = new PrometheusMeterRegistry(PrometheusConfig.DEFAULT);
    private final Promise<Void> recovered = Promise.promise();
    private volatile KafkaIngest ingest;
    private volatile VersionPublisher publisher;
    private volatile ReplicaModels replica;
    private volatile Cluster cluster;
    private volatile Models models;
    private volatile ApiKeys keys;
    private volatile AuditLog audit;
    private volatile DataDirLock lock;
    private volatile String generatedAdminKey;
    private HttpServer server;
    private Router router;
    private RouteTable routes;
    private final Clock clock;

    public VigieServer() {
        this(Clock.systemUTC());
    }

    /** A server whose models read time from {@code clock} (event times, label TTLs, snapshot times). */
    public VigieServer(Clock clock) {
        this.clock = clock;
    }

    /** Where changes are recorded: the cluster's audit log once this instance has joined one, else this instance's (null until open). */
    private io.vigie.server.audit.Audit audit() {
        Cluster member = cluster;
        return member != null ? member.audit() : audit;
    }

    @Override
    public Future<?> start() {
        JsonObject config = config();
        try {
            ServiceConfig.check(config); // a typo in a key must not leave a limit silently at its default
        } catch (IllegalArgumentException e) {
            return Future.failedFuture(e.getMessage());
        }
        // Two of Micrometer's processor meters break Prometheus naming rules (promtool flags a
        // "_count" gauge and an "ns" unit); the same facts are kept under conforming names.
        registry.config().meterFilter(MeterFilter.denyNameStartsWith("process.cpu.time"))
                .meterFilter(new MeterFilter() {
                    @Override
                    public Meter.Id map(Meter.Id id) {
                        return id.getName().equals("system.cpu.count") ? id.withName("system.cpu.processors") : id;
                    }
                });
        new ClassLoaderMetrics().bindTo(registry);
        new JvmMemoryMetrics().bindTo(registry);
        new JvmGcMetrics().bindTo(registry);
        new JvmThreadMetrics().bindTo(registry);
        new ProcessorMetrics().bindTo(registry);
        new UptimeMetrics().bindTo(registry);
        Gauge.builder("vigie.build.info", () -> 1).description("This build: the Vigie version and the Java running it")
                .tag("version", BuildInfo.version()).tag("java", Runtime.version().toString()).register(registry);
        Api.Limits limits = new Api.Limits(config.getInteger("max_batch", Api.Limits.DEFAULTS.maxBatch()));
        FrontDoor front = new FrontDoor(vertx, FrontDoor.Settings.from(config), registry);
        router = Router.router(vertx);
        String openApi = readResource("/openapi.json");
        front.first(router);
        router.route().handler(new RequestTimer(registry));
        router.route().handler(ctx -> {
            ctx.response().putHeader("X-Content-Type-Options", "nosniff");
            ctx.next();
        });
        router.get("/health/live").handler(ctx -> ctx.json(new JsonObject().put("status", "UP")));
        router.get("/health/ready").handler(this::handleReady);
        router.get("/metrics").handler(ctx -> ctx.response().putHeader("Content-Type", "text/plain; version=0.0.4; charset=utf-8")
                .end(registry.scrape()));
        router.get("/openapi.json").handler(ctx -> ctx.response().putHeader("Content-Type", "application/json").end(openApi));
        boolean replicaMode = config.getBoolean("replica", false);
        if (replicaMode && KafkaSettings.from(config) == null) {
            return Future.failedFuture("a replica needs Kafka: it serves the versions the learner publishes there (--kafka HOST:PORT)");
        }
        if (replicaMode && KafkaSettings.from(config).secret() == null) {
            return Future.failedFuture("a replica needs the cluster secret (VIGIE_CLUSTER_SECRET, or kafka.secret) that signs "
                    + "the versions it loads");
        }
        if (replicaMode) {
            front.beforeApi(router, () -> keys, () -> replica != null);
            new ReplicaApi(() -> replica, limits).mount(router);
        } else {
            front.beforeApi(router, () -> keys, () -> models != null);
            new Api(vertx, () -> models, () -> keys, this::audit, limits, clock,
                    ClusterSettings.from(config) == null ? null : () -> cluster).mount(router);
            mountPage(router);
        }
        front.last(router);
        routes = RouteTable.of(router);
        HttpServerOptions options = front.options();
        String cert = config.getString("tls_cert");
        String key = config.getString("tls_key");
        if (cert != null || key != null) {
            String problem = tlsProblem(cert, key);
            if (problem != null) {
                return Future.failedFuture(problem);
            }
            options.setSsl(true).setKeyCertOptions(new PemKeyCertOptions().setCertPath(cert).setKeyPath(key));
        }
        String host = config.getString("host", "127.0.0.1");
        int port = config.getInteger("port", 8080);
        int loops = config.getInteger("event_loops", defaultEventLoops());
        LearningThreads.use(config.getInteger("learning_threads", 1));
        // Vert.x shares a port among its servers; a random one (port 0) only when asked for as -1
        Supplier<Future<HttpServer>> listen = () -> front.serve(vertx.createHttpServer(options), router)
                .listen(port == 0 ? -1 : port, host);
        return listen.get().compose(listening -> {
            server = listening;
            return loops == 1 ? Future.succeededFuture()
                    : vertx.deployVerticle(() -> new HttpListener(listen), new DeploymentOptions().setInstances(loops - 1));
        }).onSuccess(deployed -> recover(config));
    }

    /**
     * HTTP event loops unless {@code event_loops} says otherwise: half the cores, at least one. The
     * other half is left to the models' writer threads, which learn and score: on 2 cores a second
     * loop took committee predictions at 5,000/s under labels from p99 9.8-21.3 ms to 16.8-30.9 ms
     * (LatencyProbe, alternating runs) and gained no throughput.
     */
    public static int defaultEventLoops() {
        return Math.max(1, Runtime.getRuntime().availableProcessors() / 2);
    }

    /** Why TLS cannot start from these files (both are needed, and readable), or null. */
    private static String tlsProblem(String cert, String key) {
        if (cert == null || key == null) {
            return "TLS needs both config keys 'tls_cert' (a PEM certificate chain) and 'tls_key' (its PEM private key)";
        }
        for (String[] file : new String[][]{{"tls_cert", cert}, {"tls_key", key}}) {
            if (!Files.isReadable(Path.of(file[1]))) {
                return "config key '" + file[0] + "': cannot read " + file[1];
            }
        }
        return null;
    }

    private void recover(JsonObject config) {
        Path dataDir = Path.of(config.getString("data_dir", "vigie-data"));
        ApiProblem.hideDataDir(dataDir);
        WriterSettings settings = new WriterSettings(
                config.getInteger("queue_capacity", WriterSettings.DEFAULTS.queueCapacity()),
                WriterSettings.DEFAULTS.maxDrain(),
                config.getLong("snapshot_every", WriterSettings.DEFAULTS.snapshotEvery()),
                config.getLong("min_free_bytes", WriterSettings.DEFAULTS.minFreeBytes()),
                config.getLong("disk_check_ms", WriterSettings.DEFAULTS.diskCheckMillis()),
                config.getLong("max_pending_events", WriterSettings.DEFAULTS.maxPendingEvents()),
                config.getLong("max_pending_bytes", WriterSettings.DEFAULTS.maxPendingBytes()),
                config.getLong("max_ensemble_members", WriterSettings.DEFAULTS.maxMembers()),
                new VersionRetention(config.getInteger("keep_versions", VersionRetention.DEFAULT.keep()),
                        TimeUnit.DAYS.toMillis(config.getInteger("keep_versions_max_age_days", 0))),
                config.getLong("log_segment_bytes", WriterSettings.DEFAULTS.logSegmentBytes()));
        vertx.executeBlocking(() -> {
            lock = DataDirLock.acquire(dataDir); // before a file of the dir is read or written
            ApiKeys.Loaded loaded = ApiKeys.load(dataDir, config.getString("admin_key"), clock);
            KafkaSettings kafka = KafkaSettings.from(config);
            generatedAdminKey = loaded.generatedAdminKey();
            keys = loaded.keys();
            if (config.getBoolean("replica", false)) {
                replica = ReplicaModels.start(kafka, dataDir);
                return null;
            }
            audit = AuditLog.open(dataDir, clock);
            ApiKeys.Bootstrap bootstrap = loaded.bootstrapChange();
            if (bootstrap != null) {
                // an admin key made at start (VIGIE_ADMIN_KEY set or changed, or generated): a key made, and those it replaced revoked
                audit.append(bootstrap.id(), "admin", "key.bootstrap", null, new JsonObject().put("created_key_id", bootstrap.id())
                        .put("revoked_key_ids", new JsonArray(bootstrap.replaced())));
            }
            Models opened = Models.open(dataDir, DefinitionJson.FILE, clock, settings, registry, (model, promoted) -> {
                try {
                    audit().append("policy", "policy", "challenger.promote", model, new JsonObject()
                            .put("challenger", promoted.challenger()).put("former_champion_version", promoted.formerChampion())
                            .put("version_before", promoted.version() - 1).put("version_after", promoted.version()).put("automatic", true));
                } catch (java.io.IOException e) {
                    LOG.error("the audit log could not record the automatic promotion of '{}' in model '{}': {}",
                            promoted.challenger(), model, e.getMessage());
                }
            });
            DataDirMeters.register(registry, dataDir, opened.disk());
            ClusterSettings clusterSettings = ClusterSettings.from(config);
            if (clusterSettings != null) {
                // before the models are served: until then no request is answered as if by a single instance
                String self = clusterSettings.advertise() != null ? clusterSettings.advertise()
                        : config.getString("host", "127.0.0.1") + ":" + port();
                cluster = Cluster.join(clusterSettings, kafka, opened, keys, DefinitionJson.FILE, self);
            }
            models = opened;
            if (kafka != null) {
                ingest = KafkaIngest.start(kafka, opened, registry, cluster == null ? null : cluster.membership());
                if (kafka.secret() != null) {
                    // in a cluster, a model's versions are its owner's: the other instances' copies take theirs at other points
                    publisher = VersionPublisher.start(kafka, opened, cluster == null ? model -> true : cluster.ownership()::owns);
                } else {
                    LOG.warn("no cluster secret (VIGIE_CLUSTER_SECRET, or kafka.secret): model versions are not published for replicas");
                }
            }
            return null;
        }, false).onComplete(done -> {
            if (done.succeeded()) {
                recovered.complete();
            } else {
                recovered.fail(done.cause());
            }
        });
    }

    /** Completes once the models are recovered and the API serves; fails if the data dir cannot be opened. */
    public Future<Void> recovered() {
        return recovered.future();
    }

    /** The admin key generated on the first start of a data dir without VIGIE_ADMIN_KEY, or null. */
    public String generatedAdminKey() {
        return generatedAdminKey;
    }

    @Override
    public Future<?> stop() {
        Models open = models;
        models = null;
        Future<Void> closed = server == null ? Future.succeededFuture() : server.shutdown(30, TimeUnit.SECONDS);
        return closed.compose(v -> vertx.executeBlocking(() -> {
            if (ingest != null) {
                ingest.close(); // stops reading before the models drain, leaving the rest uncommitted
            }
            if (cluster != null) {
                cluster.close();
            }
            if (publisher != null) {
                publisher.close();
            }
            if (replica != null) {
                replica.close();
            }
            if (open != null) {
                open.close(); // each model drains its queue and snapshots
            }
            if (audit != null) {
                audit.close();
            }
            if (keys != null) {
                keys.flush(); // the keys' last use, for GET /v1/keys after a restart
            }
            if (lock != null) {
                lock.close();
            }
            registry.close();
            return null;
        }, false));
    }

    /** Every route the service answers, as "METHOD /path/{param}", for checking the OpenAPI document. */
    java.util.List<String> routeTable() {
        return routes.list();
    }

    /**
     * The analyst page: public static files, its data from /v1 with the key typed on it. Scripts,
     * styles and data come from this origin only, and no other site may frame it.
     */
    private static void mountPage(Router router) {
        String page = readResource("/webroot/index.html");
        router.route("/ui/*").handler(ctx -> {
            pageHeaders(ctx);
            ctx.next();
        });
        router.get("/").handler(ctx -> {
            pageHeaders(ctx);
            ctx.response().putHeader("Content-Type", "text/html; charset=utf-8").end(page);
        });
        router.get("/ui/*").handler(StaticHandler.create("webroot").setCachingEnabled(false).setDirectoryListing(false));
    }

    private static void pageHeaders(RoutingContext ctx) {
        ctx.response().putHeader("Content-Security-Policy", "default-src 'self'; img-src 'self' data:; object-src 'none'; "
                + "base-uri 'none'; form-action 'self'; frame-ancestors 'none'")
                .putHeader("X-Frame-Options", "DENY").putHeader("Referrer-Policy", "no-referrer");
    }

    private static String readResource(String name) {
        try (java.io.InputStream in = VigieServer.class.getResourceAsStream(name)) {
            if (in == null) {
                throw new IllegalStateException(name + " is missing from the server jar");
            }
            return new String(in.readAllBytes(), java.nio.charset.StandardCharsets.UTF_8);
        } catch (java.io.IOException e) {
            throw new java.io.UncheckedIOException(e);
        }
    }

    /** The port the server listens on (useful when configured with port 0). */
    public int port() {
        return server.actualPort();
    }

    private void handleReady(RoutingContext ctx) {
        if (models != null) {
            // ready: the models that opened serve; one that could not is named here, and its routes answer 503
            JsonObject answer = new JsonObject().put("status", "READY").put("models", models.all().size())
                    .put("failed", new JsonArray(models.failed().stream().map(Models.Failed::name).toList()));
            Cluster member = cluster;
            if (member != null) {
                java.util.Map<String, String> problems = member.problems();
                answer.put("cluster", new JsonObject().put("name", member.settings().name()).put("self", member.ownership().self())
                        .put("partitions", new JsonArray(member.ownership().owned().stream().sorted().toList()))
                        .put("problems", new JsonObject(new java.util.LinkedHashMap<>(problems))));
                if (!problems.isEmpty()) {
                    // this instance cannot take its share of the cluster: out of rotation, and restarted
                    ctx.response().setStatusCode(503);
                    answer.put("status", "CLUSTER_STOPPED");
                }
            }
            KafkaIngest feed = ingest;
            if (feed != null) {
                IngestHealth.Status kafka = feed.health();
                answer.put("kafka", ingestJson(kafka));
                if (kafka.died()) {
                    // the instance no longer learns from its topics: take it out of rotation and restart it
                    ctx.response().setStatusCode(503);
                    answer.put("status", "KAFKA_STOPPED");
                }
            }
            ctx.json(answer);
        } else {
            ctx.response().setStatusCode(503).putHeader("Retry-After", "1");
            ctx.json(new JsonObject().put("status", recovered.future().failed() ? "FAILED" : "RECOVERING"));
        }
    }

    /** The Kafka ingest's state in {@code /health/ready}: consuming, retrying (with the last error) or stopped. */
    private static JsonObject ingestJson(IngestHealth.Status kafka) {
        JsonObject json = new JsonObject().put("state", kafka.state().name().toLowerCase(Locale.ROOT))
                .put("errors", kafka.errors()).put("failures_in_a_row", kafka.inARow());
        if (kafka.retryInMillis() > 0) {
            json.put("retry_wait_ms", kafka.retryInMillis());
        }
        if (kafka.failure() != null) {
            json.put("last_error", new JsonObject().put("stage", kafka.failure().stage()).put("message", kafka.failure().message())
                    .put("at", kafka.failure().at().toString()));
        }
        if (kafka.cause() != null) {
            json.put("stopped_by", kafka.cause());
        }
        return json;
    }
}
