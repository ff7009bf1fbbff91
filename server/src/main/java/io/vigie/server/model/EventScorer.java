package io.vigie.server.model;

import io.vigie.server.ApiProblem;
import io.vigie.server.store.DiskGuard;
import io.vigie.server.store.PendingEvents;
import io.vigie.server.store.ScoredEvent;
import org.rocksdb.RocksDBException;

import java.time.Clock;
import java.util.ArrayList;
import java.util.Collections;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionException;
import java.util.function.Supplier;

/**
 * Scores events and stores them until their labels come, on the model's writer thread: the fast
 * lane's work for predictions. Ids already stored are refused, scored again or answered as stored
 * ({@link KnownIds}); features computed from entities' histories are filled in first; in a
 * cluster the answers wait until the scored events are in the cluster's log. A batch is one store
 * read and one write, and so is a run of single predictions that were queued back to back (this
 * class is the {@link WriterLoop.Run} that serves them).
 */
final class EventScorer implements WriterLoop.Run<EventScorer.Single, Scored> {
    /** A single prediction waiting in the writer's fast lane. */
    record Single(ScoreRequest request, boolean explain, KnownIds known) {
    }

    private final ModelDefinition definition;
    private final ModelStateMachine machine;
    private final PendingEvents pending;
    private final AggregateFeatures aggregates;
    private final DiskGuard disk;
    private final Clock clock;
    private final WriterSettings settings;
    private final ModelMeters meters;
    /** The cluster's log the scored events are published to, once there is one (null on a single instance). */
    private final Supplier<ReplicatedLog> replicated;
    /** Run after each scoring: implied labels may have come due. */
    private final Runnable scored;

    EventScorer(ModelDefinition definition, ModelStateMachine machine, PendingEvents pending, AggregateFeatures aggregates,
                DiskGuard disk, Clock clock, WriterSettings settings, ModelMeters meters, Supplier<ReplicatedLog> replicated,
                Runnable scored) {
        this.definition = definition;
        this.machine = machine;
        this.pending = pending;
        this.aggregates = aggregates;
        this.disk = disk;
        this.clock = clock;
        this.settings = settings;
        this.meters = meters;
        this.replicated = replicated;
        this.scored = scored;
    }

    /** Scores a batch in order; a conflict over any id refuses the whole batch (409). */
    void scoreAll(List<ScoreRequest> requests, KnownIds known, CompletableFuture<List<Scored>> future) {
        disk.check(); // before anything is scored
        List<String> ids = requests.stream().map(ScoreRequest::id).toList();
        List<ScoredEvent> existing = storedUnder(ids);
        Answered answered = scoreResolved(requests, existing, known.resolve(definition.name(), ids, existing, pending::expired));
        answered.whenDurable(future, answered.answers());
    }

    /**
     * Single predictions that were queued back to back, scored as a batch, each answered on its
     * own: an id already stored refuses its own request only, and an id asked twice in the run is
     * scored the second time once the first is stored, as if they had come one after the other.
     */
    @Override
    public void serve(List<WriterLoop.Member<Single, Scored>> run) {
        int from = 0;
        while (from < run.size()) {
            Set<String> ids = new HashSet<>();
            int to = from;
            while (to < run.size() && ids.add(run.get(to).request().request().id())) {
                to++;
            }
            scoreDistinct(run.subList(from, to));
            from = to;
        }
    }

    private void scoreDistinct(List<WriterLoop.Member<Single, Scored>> run) {
        disk.check(); // before anything is scored
        List<ScoredEvent> existing = storedUnder(run.stream().map(m -> m.request().request().id()).toList());
        List<WriterLoop.Member<Single, Scored>> accepted = new ArrayList<>(run.size());
        List<ScoreRequest> requests = new ArrayList<>(run.size());
        List<ScoredEvent> acceptedExisting = new ArrayList<>(run.size());
        List<ScoredEvent> answerWith = new ArrayList<>(run.size());
        for (int i = 0; i < run.size(); i++) {
            Single single = run.get(i).request();
            List<ScoredEvent> held = Collections.singletonList(existing.get(i));
            try {
                answerWith.add(single.known().resolve(definition.name(), List.of(single.request().id()), held, pending::expired).get(0));
            } catch (ApiProblem refused) {
                run.get(i).future().completeExceptionally(refused);
                continue;
            }
            accepted.add(run.get(i));
            requests.add(single.request());
            acceptedExisting.add(existing.get(i));
        }
        if (accepted.isEmpty()) {
            return;
        }
        Answered answered = scoreResolved(requests, acceptedExisting, answerWith);
        for (int i = 0; i < accepted.size(); i++) {
            Single single = accepted.get(i).request();
            Scored answer = answered.answers().get(i);
            answered.whenDurable(accepted.get(i).future(), single.explain() ? machine.explain(answer, single.request().event()) : answer);
        }
    }

    /** A batch's answers, and when the events it stored are durable beyond this instance (at once on a single instance). */
    private record Answered(List<Scored> answers, CompletableFuture<Void> durable) {
        <T> void whenDurable(CompletableFuture<T> future, T answer) {
            durable.whenComplete((done, failure) -> {
                if (failure == null) {
                    future.complete(answer);
                } else {
                    future.completeExceptionally(failure instanceof CompletionException c ? c.getCause() : failure);
                }
            });
        }
    }

    /**
     * Scores events and stores them, in one RocksDB write; a refused batch leaves no trace.
     * {@code existing}: what each id held (null: nothing); {@code answerWith}: the stored event to
     * answer with instead of scoring (null: score it), as {@link KnownIds#resolve} said.
     */
    private Answered scoreResolved(List<ScoreRequest> requests, List<ScoredEvent> existing, List<ScoredEvent> answerWith) {
        List<ScoreRequest> fresh = new ArrayList<>(requests.size());
        List<ScoredEvent> replaced = new ArrayList<>(requests.size());
        for (int i = 0; i < requests.size(); i++) {
            if (answerWith.get(i) == null) {
                fresh.add(requests.get(i));
                replaced.add(existing.get(i));
            }
        }
        CompletableFuture<Void> durable = CompletableFuture.completedFuture(null);
        List<Scored> answers = List.of();
        if (!fresh.isEmpty()) {
            StoredScores done = scoreAndStore(fresh, replaced);
            answers = done.scores().answers();
            ReplicatedLog cluster = replicated.get();
            if (cluster != null) { // a label may come to whichever instance owns the model by then, and its next events too
                durable = cluster.publishScored(definition, done.scores().stored(), done.histories());
            }
        }
        List<Scored> all = new ArrayList<>(requests.size());
        for (int i = 0, f = 0; i < requests.size(); i++) {
            ScoredEvent event = answerWith.get(i);
            all.add(event == null ? answers.get(f++) : new Scored(requests.get(i).id(), event.answer().prediction(), event.version()));
        }
        scored.run();
        return new Answered(all, durable);
    }

    /** Events scored and stored, with the entities' histories their scoring changed. */
    private record StoredScores(ModelStateMachine.Scores scores, Map<String, double[]> histories) {
    }

    /** Scores and stores events; {@code replaced}: what each id held before (null: nothing), as read for the batch. */
    private StoredScores scoreAndStore(List<ScoreRequest> requests, List<ScoredEvent> replaced) {
        pending.requireRoom(requests.size(), settings.maxPendingEvents(), settings.maxPendingBytes());
        long now = clock.millis();
        Map<String, double[]> histories = computed(requests, now);
        ModelStateMachine.Scores scores = machine.score(requests, now);
        try {
            pending.scored(scores.stored(), replaced, histories);
        } catch (RocksDBException e) {
            throw ApiProblem.unavailable("store-failed", "the pending-event store refused the write (" + e.getMessage()
                    + "); nothing was scored or stored, retry later", 5);
        }
        scores.answers().forEach(s -> meters.predicted(s.prediction()));
        return new StoredScores(scores, histories);
    }

    /** Fills the features the model computes from its entities' histories; returns the histories to write with the events. */
    private Map<String, double[]> computed(List<ScoreRequest> requests, long now) {
        if (!aggregates.any()) {
            return Map.of();
        }
        Map<String, double[]> histories;
        try {
            histories = pending.histories(aggregates.historiesNeeded(requests));
        } catch (RocksDBException e) {
            throw ApiProblem.unavailable("store-failed", "the entities' histories could not be read (" + e.getMessage()
                    + "); nothing was scored, retry later", 5);
        }
        aggregates.fill(requests, now, histories);
        return histories;
    }

    /** What the ids hold now (null: nothing), in one read. */
    private List<ScoredEvent> storedUnder(List<String> ids) {
        try {
            return pending.getAll(ids);
        } catch (RocksDBException e) {
            throw ApiProblem.unavailable("store-failed", "the pending-event store could not be read (" + e.getMessage()
                    + "); nothing was scored, retry later", 5);
        }
    }
}
