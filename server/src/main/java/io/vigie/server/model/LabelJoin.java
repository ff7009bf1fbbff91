package io.vigie.server.model;

import io.vigie.server.ApiProblem;
import io.vigie.server.store.LogRecord;
import io.vigie.server.store.PendingEvents;
import io.vigie.server.store.ScoredEvent;
import org.rocksdb.RocksDBException;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import java.time.Clock;
import java.util.Arrays;
import java.util.List;
import java.util.concurrent.CompletableFuture;

/**
 * Turns labels, labelled events and implied labels into log records for the writer's next
 * commit. A label is joined to the event it labels, as stored when it was scored; one for an id
 * never scored, one already labelled (or labelled earlier in the same commit) and one that came
 * more than the TTL after its event are refused and counted. A label for an event whose label was
 * implied corrects it when it differs, and confirms it (nothing to learn) when not. A record the
 * log already holds from its stream position is a redelivery, skipped. Runs on the writer thread.
 */
final class LabelJoin {
    private static final Logger LOG = LoggerFactory.getLogger(LabelJoin.class);

    private final String model;
    private final ModelStateMachine machine;
    private final GroupCommit commit;
    private final PendingEvents pending;
    private final ModelMeters meters;
    private final Clock clock;

    LabelJoin(String model, ModelStateMachine machine, GroupCommit commit, PendingEvents pending, ModelMeters meters, Clock clock) {
        this.model = model;
        this.machine = machine;
        this.commit = commit;
        this.pending = pending;
        this.meters = meters;
        this.clock = clock;
    }

    /** Stages the labels that join; {@code answer} completes with every label's outcome once the commit is done. */
    void labels(List<LabelRequest> labels, CompletableFuture<List<ItemResult>> answer) {
        ItemResult[] results = new ItemResult[labels.size()];
        long now = clock.millis();
        for (int i = 0; i < labels.size(); i++) {
            LabelRequest request = labels.get(i);
            if (machine.holds(request.source())) {
                results[i] = new ItemResult(request.id(), Outcome.ALREADY_LOGGED, 0);
                continue;
            }
            long time = EventTime.or(request.time(), now);
            ScoredEvent event = joined(request.id());
            if (event != null && event.implied() && event.label() == request.label() && !commit.holdsLabelOf(request.id())) {
                results[i] = new ItemResult(request.id(), Outcome.CONFIRMED, 0);
                continue;
            }
            Outcome refused = event == null ? Outcome.UNKNOWN_ID
                    : event.labelled() && !event.implied() || commit.holdsLabelOf(request.id()) ? Outcome.DUPLICATE
                    : time - event.eventTime() > pending.ttl().toMillis() ? Outcome.LATE : null;
            if (refused != null) {
                results[i] = new ItemResult(request.id(), refused, 0);
                reject(refused);
                continue;
            }
            meters.labelArrived(time - event.eventTime());
            stage(request.id(), new LogRecord.Label(request.id(), request.label(), now, event, request.source(), time), results, i);
        }
        commit.whenCommitted(() -> answer.complete(Arrays.asList(results)));
    }

    /** The stored event a label joins, labelled as implied if the next commit implies its label already. */
    private ScoredEvent joined(String id) {
        LogRecord.ImpliedLabel implied = commit.impliedLabelOf(id);
        return implied != null ? implied.event().withImpliedLabel(implied.label(), implied.time()) : storedEvent(id);
    }

    /**
     * Stages the implied labels of the events whose implicit-label period ended by the model's
     * clock, at most {@code max}, earliest first; {@code answer} completes with how many once the
     * commit is done. An event labelled in the same commit is left to its label.
     */
    void implied(ModelDefinition.ImplicitLabel implicit, int max, CompletableFuture<Integer> answer) {
        List<PendingEvents.Due> due;
        try {
            due = pending.dueBy(machine.clock(), max);
        } catch (RocksDBException e) {
            answer.completeExceptionally(e);
            return;
        }
        int[] learned = {0};
        for (PendingEvents.Due d : due) {
            if (!commit.holdsLabelOf(d.id())) {
                commit.stage(new LogRecord.ImpliedLabel(d.id(), implicit.classIndex(), d.due(), d.event()), null, seq -> learned[0]++,
                        problem -> LOG.warn("model '{}': implied labels not logged ({}); they are tried again", model, problem.getMessage()));
            }
        }
        commit.whenCommitted(() -> answer.complete(learned[0]));
    }

    /**
     * Stages labelled events never scored; {@code answer} completes with each one's outcome once
     * the commit is done. An id already held (scored, or learned as an event, and not yet past
     * the TTL) is a duplicate: an id names one event, learned once.
     */
    void events(List<EventRequest> events, CompletableFuture<List<ItemResult>> answer) {
        ItemResult[] results = new ItemResult[events.size()];
        long now = clock.millis();
        List<ScoredEvent> held = storedEvents(events.stream().map(EventRequest::id).toList());
        for (int i = 0; i < events.size(); i++) {
            EventRequest event = events.get(i);
            if (machine.holds(event.source())) {
                results[i] = new ItemResult(event.id(), Outcome.ALREADY_LOGGED, 0);
                continue;
            }
            if (held.get(i) != null && !pending.expired(held.get(i)) || commit.holdsLabelOf(event.id())) {
                results[i] = new ItemResult(event.id(), Outcome.DUPLICATE, 0);
                reject(Outcome.DUPLICATE);
                continue;
            }
            commit.claim(event.id());
            stage(event.id(), new LogRecord.LabelledEvent(event.id(), event.labelled().toDoubleArray(),
                    (int) event.labelled().classValue(), now, event.source(), EventTime.or(event.time(), now)), results, i);
        }
        commit.whenCommitted(() -> answer.complete(Arrays.asList(results)));
    }

    private List<ScoredEvent> storedEvents(List<String> ids) {
        try {
            return pending.getAll(ids);
        } catch (RocksDBException e) {
            throw ApiProblem.unavailable("store-failed", "the pending-event store could not be read (" + e.getMessage()
                    + "); retry later", 5);
        }
    }

    /** The stored scoring of an id with its label if known, or null. Safe from any thread. */
    ScoredEvent storedEvent(String id) {
        try {
            return pending.get(id);
        } catch (RocksDBException e) {
            throw ApiProblem.unavailable("store-failed", "the pending-event store could not be read (" + e.getMessage()
                    + "); retry later", 5);
        }
    }

    private void stage(String id, LogRecord record, ItemResult[] results, int item) {
        commit.stage(record, null, seq -> results[item] = new ItemResult(id, Outcome.LEARNED, seq),
                problem -> results[item] = new ItemResult(id, Outcome.NOT_LOGGED, 0, problem));
    }

    private void reject(Outcome outcome) {
        meters.rejected(outcome);
        try {
            pending.rejected(switch (outcome) {
                case UNKNOWN_ID -> PendingEvents.Counter.UNKNOWN;
                case DUPLICATE -> PendingEvents.Counter.DUPLICATE;
                default -> PendingEvents.Counter.LATE;
            });
        } catch (RocksDBException e) {
            LOG.warn("model '{}': cannot count a rejected label: {}", model, e.getMessage());
        }
    }
}
