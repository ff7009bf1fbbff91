package io.vigie.server.model;

import io.vigie.learner.Model;
import io.vigie.learner.ModelSpec;

import java.io.Serializable;
import java.nio.charset.StandardCharsets;

/**
 * A model that learns from the champion's stream and scores the champion's events, to be
 * compared with it before it serves anyone: in {@code shadow} mode its answers are stored and
 * measured, never returned; in {@code canary} mode it answers a fixed share of requests, chosen
 * by a hash of the event id so that an id always lands on the same side.
 */
public final class Challenger implements Serializable {
    private static final long serialVersionUID = 1L;

    /** Whether a challenger answers callers. */
    public enum Mode {
        SHADOW, CANARY;

        public String code() {
            return name().toLowerCase(java.util.Locale.ROOT);
        }

        public static Mode parse(String code) {
            for (Mode mode : values()) {
                if (mode.code().equals(code)) {
                    return mode;
                }
            }
            return null;
        }
    }

    private final String name;
    private final ModelSpec spec;
    private final Mode mode;
    private final double share;
    private final long since;
    private final Promotion policy;
    private final Model model;
    private Comparison comparison;

    /**
     * Automatic promotion, off by default: once {@code afterEvents} events are compared, the
     * challenger is promoted if it won more of the discordant events than the champion and
     * McNemar's test gives a p-value below {@code belowPValue}.
     */
    public record Promotion(long afterEvents, double belowPValue) implements Serializable {
        public static final Promotion NEVER = new Promotion(0, 0);

        public boolean automatic() {
            return afterEvents > 0;
        }
    }

    Challenger(String name, ModelSpec spec, Mode mode, double share, Promotion policy, long since, Model model, int numClasses) {
        this.name = name;
        this.spec = spec;
        this.mode = mode;
        this.share = share;
        this.policy = policy;
        this.since = since;
        this.model = model;
        this.comparison = new Comparison(numClasses);
    }

    public String name() {
        return name;
    }

    public ModelSpec spec() {
        return spec;
    }

    public Mode mode() {
        return mode;
    }

    /** The share of requests a canary answers; 0 for a shadow. */
    public double share() {
        return share;
    }

    /** The model version at which it started. */
    public long since() {
        return since;
    }

    public Model model() {
        return model;
    }

    public Comparison comparison() {
        return comparison;
    }

    public Promotion policy() {
        return policy;
    }

    /** Whether its automatic promotion policy says it has won. */
    boolean wonByPolicy() {
        return policy.automatic() && comparison.events() >= policy.afterEvents()
                && comparison.challengerOnlyRight() > comparison.championOnlyRight()
                && comparison.mcNemarPValue() < policy.belowPValue();
    }

    /** The champion changed: compare afresh. */
    void restartComparison(int numClasses) {
        comparison = new Comparison(numClasses);
    }

    /**
     * Where an event id falls in [0, 1): FNV-1a over its UTF-8 bytes, the top 53 bits as a
     * fraction. Stable across restarts and machines, so an id always gets the same side.
     */
    public static double bucket(String id) {
        long hash = 0xcbf29ce484222325L;
        for (byte b : id.getBytes(StandardCharsets.UTF_8)) {
            hash ^= b & 0xff;
            hash *= 0x100000001b3L;
        }
        hash ^= hash >>> 33; // FNV's low bits mix poorly on short ids: fold the high bits in
        hash *= 0xff51afd7ed558ccdL;
        hash ^= hash >>> 33;
        return (hash >>> 11) * 0x1.0p-53;
    }
}
