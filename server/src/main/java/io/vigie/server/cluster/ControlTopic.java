package io.vigie.server.cluster;

import io.vertx.core.json.JsonObject;
import io.vigie.server.ApiProblem;
import io.vigie.server.auth.ApiKeys;
import io.vigie.server.auth.KeyChanges;
import io.vigie.server.auth.Role;
import io.vigie.server.model.DefinitionFormat;
import io.vigie.server.model.ModelChanges;
import io.vigie.server.model.ModelDefinition;
import io.vigie.server.model.ModelWriter;
import io.vigie.server.model.Models;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.clients.producer.KafkaProducer;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.apache.kafka.common.TopicPartition;
import org.apache.kafka.common.errors.WakeupException;
import org.apache.kafka.common.header.Header;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.Arrays;
import java.util.List;
import java.util.Map;
import java.util.Properties;
import java.util.Set;
import java.util.TreeMap;
import java.util.UUID;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;

/**
 * The cluster's model definitions, in one compacted single-partition topic that every instance
 * reads from the start: each instance applies the same changes in the same order, so all know
 * the same models. A creation is a record keyed {@code name@id} holding the definition; a
 * deletion, that key's tombstone. The first creation of a name wins, everywhere alike: a later
 * one finds the name taken and is refused (its requester gets the 409, and removes its record so
 * that compaction never leaves it to be read as the name's definition after the winner is gone).
 *
 * <p>A request waits until its own record has been read back and applied here, so the instance
 * that answered 201 serves the model at once.
 */
public final class ControlTopic extends TopicReader<String, byte[]> implements ModelChanges, KeyChanges {
    private static final Logger LOG = LoggerFactory.getLogger(ControlTopic.class);
    private static final String REQUEST = "vigie.request";
    /** The key prefix of an instance's address: {@code member/<static instance id>}. */
    private static final String MEMBER = "member/";
    /** The key prefix of an API key of the cluster: {@code key/<key id>}, its SHA-256 and grants; revoked, its tombstone. */
    private static final String KEY = "key/";
    private static final long WAIT_SECONDS = 30;

    /** A name's live definition: the record that created it. */
    private record Live(String key, byte[] definition) {
    }

    private final ClusterSettings settings;
    private final Models models;
    private final ApiKeys keys;
    private final DefinitionFormat format;
    /** The newest snapshot in the cluster of a model this instance lacks as it joins, or null. */
    private final java.util.function.Function<ModelDefinition, byte[]> seeds;
    private final KafkaProducer<String, byte[]> producer;
    private final Map<String, Live> live = new ConcurrentHashMap<>();
    /** Each instance's address by its static membership id, as it last announced it. */
    private final Map<String, String> members = new ConcurrentHashMap<>();
    private final Map<String, CompletableFuture<Object>> waiting = new ConcurrentHashMap<>();
    private final CountDownLatch caughtUp = new CountDownLatch(1);
    private volatile Throwable failure;

    private ControlTopic(ClusterSettings settings, String bootstrap, Models models, ApiKeys keys, DefinitionFormat format,
                         java.util.function.Function<ModelDefinition, byte[]> seeds) {
        super("vigie-cluster-control", settings.name(), ClusterClients.reader(bootstrap, false, new Properties()));
        this.settings = settings;
        this.keys = keys;
        this.seeds = seeds;
        this.models = models;
        this.format = format;
        this.producer = ClusterClients.producer(bootstrap);
    }

    /**
     * Reads the whole topic, then makes this instance's models match it: creates the models it
     * lacks (from their snapshot in the cluster, {@code seeds}, if they have one), replaces one whose definition changed while it was away, deletes one deleted
     * meanwhile. Returns once that is done; then follows the topic.
     */
    static ControlTopic start(ClusterSettings settings, String bootstrap, Models models, ApiKeys keys, DefinitionFormat format,
                              java.util.function.Function<ModelDefinition, byte[]> seeds) throws InterruptedException {
        ControlTopic control = new ControlTopic(settings, bootstrap, models, keys, format, seeds);
        control.startReading();
        control.caughtUp.await();
        if (control.failure != null) {
            control.close();
            throw new IllegalStateException("cannot read the cluster's control topic '" + settings.controlTopic() + "': "
                    + control.failure, control.failure);
        }
        return control;
    }

    @Override
    public ModelWriter create(ModelDefinition definition) {
        String name = definition.name();
        if (live.containsKey(name) || models.find(name) != null || models.isFailed(name)) {
            throw taken(name);
        }
        models.probe(definition.spec(), definition.schema(), definition.abstention()); // a 422 before anything is published
        String request = UUID.randomUUID().toString();
        Object applied = publish(name + "@" + request, format.encode(definition), request);
        return (ModelWriter) applied;
    }

    @Override
    public Long delete(String name) {
        Live current = live.get(name);
        if (current == null) {
            models.get(name); // the usual 404 (or 503 for one that could not be opened)
            // a model this instance has that the cluster does not know: not the cluster's to delete
            throw ApiProblem.conflict("model-not-in-cluster", "model '" + name + "' is not one of cluster '" + settings.name()
                    + "' models (it was made here before this instance joined): stop the instance to remove it");
        }
        return (Long) publish(current.key(), null, UUID.randomUUID().toString());
    }

    /** Makes a key of the cluster: every instance knows it once this answers. */
    @Override
    public ApiKeys.Created create(Set<Role> roles, Set<String> scope, long expiresAt) {
        ApiKeys.Created created = keys.mint(roles, scope, expiresAt);
        ApiKeys.Identity identity = created.identity();
        JsonObject grants = identity.describe().put("sha256", ApiKeys.sha256(created.key())).put("created_at", System.currentTimeMillis());
        publish(KEY + identity.id(), grants.encode().getBytes(StandardCharsets.UTF_8), UUID.randomUUID().toString());
        return created;
    }

    /** Revokes a key of the cluster on every instance (or one made on this instance before it joined, here). */
    @Override
    public boolean revoke(String id) throws IOException, ApiKeys.LastAdminKeyException {
        if (!keys.ofCluster(id)) {
            return keys.revoke(id);
        }
        keys.revocable(id); // the last admin key stays
        publish(KEY + id, null, UUID.randomUUID().toString());
        return true;
    }

    private static ApiProblem taken(String name) {
        return ApiProblem.conflict("model-exists", "a model named '" + name + "' already exists");
    }

    /** Publishes a change and waits until it has been applied here; returns what applying it gave. */
    private Object publish(String key, byte[] value, String request) {
        CompletableFuture<Object> applied = new CompletableFuture<>();
        waiting.put(request, applied);
        try {
            ProducerRecord<String, byte[]> record = new ProducerRecord<>(settings.controlTopic(), 0, key, value);
            record.headers().add(REQUEST, request.getBytes(StandardCharsets.UTF_8));
            producer.send(record).get(WAIT_SECONDS, TimeUnit.SECONDS);
            return applied.get(WAIT_SECONDS, TimeUnit.SECONDS);
        } catch (ExecutionException e) {
            if (e.getCause() instanceof ApiProblem problem) {
                throw problem;
            }
            throw ApiProblem.unavailable("cluster-unavailable", "the change could not be made through the cluster's control topic: "
                    + e.getCause(), 5);
        } catch (TimeoutException e) {
            throw ApiProblem.unavailable("cluster-unavailable", "the cluster's control topic did not confirm the change within "
                    + WAIT_SECONDS + " s; it may still be applied", 5);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw ApiProblem.unavailable("cluster-unavailable", "interrupted while waiting for the cluster", 5);
        } finally {
            waiting.remove(request);
        }
    }

    @Override
    void read() {
        TopicPartition partition = new TopicPartition(settings.controlTopic(), 0);
        try {
            consumer.assign(List.of(partition));
            consumer.seekToBeginning(List.of(partition));
            long end = consumer.endOffsets(List.of(partition)).get(partition);
            Map<String, Live> state = new TreeMap<>();
            while (consumer.position(partition) < end) {
                for (ConsumerRecord<String, byte[]> record : consumer.poll(Duration.ofMillis(200))) {
                    replay(state, record);
                }
            }
            live.putAll(state);
            reconcile();
        } catch (WakeupException e) {
            return;
        } catch (RuntimeException e) {
            failure = e;
            return;
        } finally {
            caughtUp.countDown();
        }
        while (running()) {
            for (ConsumerRecord<String, byte[]> record : consumer.poll(Duration.ofMillis(500))) {
                apply(record);
            }
        }
    }

    @Override
    String whenStopped() {
        return "the control topic is no longer read; model changes made elsewhere do not reach this instance";
    }

    /** While catching up: the same rules as {@link #apply}, on the state only. */
    private void replay(Map<String, Live> state, ConsumerRecord<String, byte[]> record) {
        if (member(record) || key(record)) {
            return;
        }
        String name = nameOf(record.key());
        if (name == null) {
            return;
        }
        Live current = state.get(name);
        if (record.value() != null && current == null) {
            state.put(name, new Live(record.key(), record.value()));
        } else if (record.value() == null && current != null && current.key().equals(record.key())) {
            state.remove(name);
        }
    }

    /** This instance's models made to match the cluster's, after catching up. */
    private void reconcile() {
        for (Live definition : live.values()) {
            ensureLocal(definition);
        }
        for (ModelWriter writer : models.all()) {
            String name = writer.definition().name();
            if (!live.containsKey(name)) {
                LOG.warn("cluster '{}': model '{}' is on this instance's disk but not in the cluster's control topic: it is served "
                        + "here only and owned by no one", settings.name(), name);
            }
        }
    }

    private void apply(ConsumerRecord<String, byte[]> record) {
        if (member(record) || key(record)) {
            return;
        }
        String name = nameOf(record.key());
        if (name == null) {
            return;
        }
        String request = header(record, REQUEST);
        CompletableFuture<Object> waiter = request == null ? null : waiting.get(request);
        Live current = live.get(name);
        try {
            if (record.value() != null) {
                if (current != null) { // a creation that lost the race for the name, the same on every instance
                    if (waiter != null) {
                        producer.send(new ProducerRecord<>(settings.controlTopic(), 0, record.key(), null));
                        waiter.completeExceptionally(taken(name));
                    }
                    return;
                }
                Live created = new Live(record.key(), record.value());
                live.put(name, created);
                ModelWriter writer = ensureLocal(created);
                if (waiter != null) {
                    if (writer == null) {
                        waiter.completeExceptionally(ApiProblem.unavailable("model-failed", "model '" + name
                                + "' was created in the cluster but could not be opened on this instance (see its log)", 5));
                    } else {
                        waiter.complete(writer);
                    }
                }
            } else if (current != null && current.key().equals(record.key())) {
                live.remove(name);
                Long before = deleteLocal(name);
                if (waiter != null) {
                    waiter.complete(before);
                }
            } else if (waiter != null) {
                waiter.completeExceptionally(ApiProblem.notFound("unknown-model", "there is no model named '" + name + "'"));
            }
        } catch (RuntimeException e) {
            if (waiter != null) {
                waiter.completeExceptionally(e);
            }
            LOG.error("cluster '{}': the change to model '{}' could not be applied on this instance", settings.name(), name, e);
        }
    }

    /** This instance's model of that definition, made or replaced as needed; null if it cannot be opened here. */
    private ModelWriter ensureLocal(Live definition) {
        ModelDefinition wanted = format.decode(definition.definition());
        String name = wanted.name();
        ModelWriter existing = models.find(name);
        if (existing != null && Arrays.equals(format.encode(existing.definition()), definition.definition())) {
            return existing;
        }
        if (existing != null || models.isFailed(name)) {
            LOG.warn("cluster '{}': model '{}' here differs from the cluster's definition (replaced while this instance was "
                    + "away): replacing it", settings.name(), name);
            models.delete(name);
        }
        try {
            byte[] seed = seeds.apply(wanted);
            return seed == null ? models.create(wanted) : models.install(wanted, seed);
        } catch (RuntimeException e) {
            LOG.error("cluster '{}': model '{}' could not be created on this instance: {}", settings.name(), name, e.getMessage());
            return null;
        }
    }

    private Long deleteLocal(String name) {
        return models.find(name) != null || models.isFailed(name) ? models.delete(name) : null;
    }

    /** Whether the record is an instance's address (kept, then); the addresses change as instances restart elsewhere. */
    private boolean member(ConsumerRecord<String, byte[]> record) {
        if (record.key() == null || !record.key().startsWith(MEMBER)) {
            return false;
        }
        String instance = record.key().substring(MEMBER.length());
        if (record.value() == null) {
            members.remove(instance);
        } else {
            members.put(instance, new String(record.value(), StandardCharsets.UTF_8));
        }
        return true;
    }

    /** Whether the record is an API key of the cluster (kept or dropped here, then). */
    private boolean key(ConsumerRecord<String, byte[]> record) {
        if (record.key() == null || !record.key().startsWith(KEY)) {
            return false;
        }
        String id = record.key().substring(KEY.length());
        if (record.value() == null) {
            keys.forget(id);
        } else {
            JsonObject grants = new JsonObject(new String(record.value(), StandardCharsets.UTF_8));
            Set<Role> roles = java.util.EnumSet.noneOf(Role.class);
            grants.getJsonArray("roles").forEach(role -> roles.add(Role.parse((String) role)));
            Set<String> scope = new java.util.TreeSet<>();
            grants.getJsonArray("models", new io.vertx.core.json.JsonArray()).forEach(model -> scope.add((String) model));
            String expires = grants.getString("expires_at");
            keys.adopt(new ApiKeys.Identity(id, Set.copyOf(roles), Set.copyOf(scope),
                    expires == null ? 0 : java.time.Instant.parse(expires).toEpochMilli()), grants.getString("sha256"),
                    grants.getLong("created_at"));
        }
        String request = header(record, REQUEST);
        CompletableFuture<Object> waiter = request == null ? null : waiting.get(request);
        if (waiter != null) {
            waiter.complete(id);
        }
        return true;
    }

    /**
     * Tells the cluster where this instance answers: the owners' group knows each member by its
     * static id, which outlives the address an instance listens on.
     */
    void announce(String instance, String address) throws Exception {
        producer.send(new ProducerRecord<>(settings.controlTopic(), 0, MEMBER + instance, address.getBytes(StandardCharsets.UTF_8)))
                .get(WAIT_SECONDS, TimeUnit.SECONDS);
        members.put(instance, address);
    }

    /** The address an instance announced last, by its static membership id, or null. */
    String addressOf(String instance) {
        return members.get(instance);
    }

    private static String nameOf(String key) {
        int at = key == null ? -1 : key.lastIndexOf('@');
        return at <= 0 ? null : key.substring(0, at);
    }

    private static String header(ConsumerRecord<String, byte[]> record, String name) {
        Header header = record.headers().lastHeader(name);
        return header == null ? null : new String(header.value(), StandardCharsets.UTF_8);
    }

    /** The names the cluster knows, with nothing about where they are served. */
    public java.util.Set<String> names() {
        return java.util.Set.copyOf(live.keySet());
    }

    @Override
    public void close() throws InterruptedException {
        super.close();
        producer.close(Duration.ofSeconds(5)); // here, not as the reader stops: changes may still be on their way
    }
}
