package io.vigie.server.kafka;

import io.micrometer.core.instrument.Counter;
import io.micrometer.core.instrument.Gauge;
import io.micrometer.core.instrument.MeterRegistry;

import java.time.Clock;
import java.time.Instant;

/**
 * How the Kafka ingest is doing, for {@code /health/ready} and {@code /metrics}: consuming,
 * retrying after an error (each failure in a row doubles the wait, from 200 ms up to 30 s), or
 * stopped. The ingest never ends on an error it can retry; it stops only when the service closes
 * or on a JVM error, and that stop is shown rather than silent.
 */
public final class IngestHealth {
    public enum State { STARTING, CONSUMING, RETRYING, STOPPED }

    /** The last error: the stage it came from (subscribe, poll, process, rewind), its message and when. */
    public record Failure(String stage, String message, Instant at) {
    }

    /**
     * A look at the ingest: {@code failure} is the last error (null if none); {@code inARow} the
     * failures since the last batch went through; {@code cause} is set when it stopped on an error.
     */
    public record Status(State state, long errors, int inARow, long retryInMillis, Failure failure, String cause) {
        /** Whether the ingest ended on an error: the instance no longer learns from Kafka. */
        public boolean died() {
            return state == State.STOPPED && cause != null;
        }
    }

    static final long FIRST_WAIT_MILLIS = 200;
    static final long MAX_WAIT_MILLIS = 30_000;

    private final MeterRegistry registry;
    private final Clock clock;
    private State state = State.STARTING;
    private long errors;
    private int inARow;
    private long retryInMillis;
    private Failure failure;
    private String cause;

    IngestHealth(MeterRegistry registry, Clock clock) {
        this.registry = registry;
        this.clock = clock;
        Gauge.builder("vigie.kafka.ingest.up", this, health -> health.status().state() == State.CONSUMING ? 1 : 0)
                .description("1 while the Kafka ingest consumes, 0 while it waits to retry after an error or has stopped")
                .strongReference(true).register(registry);
    }

    /** A poll or a batch went through: the next failure waits the shortest time again. */
    synchronized void consuming() {
        state = State.CONSUMING;
        inARow = 0;
        retryInMillis = 0;
    }

    /** Counts a failure of {@code stage} and returns how long to wait before trying again. */
    synchronized long failed(String stage, Throwable error) {
        Counter.builder("vigie.kafka.errors").description("Errors of the Kafka ingest, each retried").tag("stage", stage)
                .register(registry).increment();
        errors++;
        inARow++;
        state = State.RETRYING;
        failure = new Failure(stage, String.valueOf(error), clock.instant());
        retryInMillis = waitAfter(inARow);
        return retryInMillis;
    }

    /** The ingest ended: on closing ({@code error} null) or on an error nothing retries. */
    synchronized void stopped(Throwable error) {
        state = State.STOPPED;
        retryInMillis = 0;
        if (error != null) {
            cause = String.valueOf(error);
        }
    }

    public synchronized Status status() {
        return new Status(state, errors, inARow, retryInMillis, failure, cause);
    }

    /** The wait after {@code failures} failures in a row: 200 ms, doubled each time, at most 30 s. */
    static long waitAfter(int failures) {
        int doublings = Math.min(Math.max(failures - 1, 0), 20);
        return Math.min(MAX_WAIT_MILLIS, FIRST_WAIT_MILLIS << doublings);
    }
}
