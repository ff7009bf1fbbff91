package io.vigie.server.kafka;

/**
 * Every Kafka topic the service reads or writes: the one table of them. Each is configured under
 * {@code "kafka": {"topics": {KEY: NAME}}}, and the README's topic table lists each default name
 * (a test checks both).
 */
public enum Topic {
    /** In: {@code {"model", "id", "features"}}, scored; the prediction goes to {@link #PREDICTIONS}. */
    TRANSACTIONS("transactions", "vigie.transactions"),
    /** In: {@code {"model", "id", "label"}}, joined by id to the stored event and learned. */
    LABELS("labels", "vigie.labels"),
    /** In: {@code {"model", "id", "features", "label"}}, scored, then learned. */
    EVENTS("events", "vigie.events"),
    /** Out: each transaction's prediction, the HTTP answer plus {@code "model"}. */
    PREDICTIONS("predictions", "vigie.predictions"),
    /** Out: committee member resets and input drift alerts, {@code {"model", "event"}}. */
    DRIFT("drift", "vigie.drift"),
    /** Out: records that could not be used, with their bytes and the reason in headers. */
    DEAD_LETTER("dead_letter", "vigie.dead-letter"),
    /** Out, compacted: each model's newest version, read by serving replicas. */
    MODELS("models", "vigie.models");

    private final String key;
    private final String defaultName;

    Topic(String key, String defaultName) {
        this.key = key;
        this.defaultName = defaultName;
    }

    /** Its key under {@code "kafka": {"topics": {...}}} in the config. */
    public String key() {
        return key;
    }

    /** Its name when the config does not set one. */
    public String defaultName() {
        return defaultName;
    }
}
