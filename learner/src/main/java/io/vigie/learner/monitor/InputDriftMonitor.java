package io.vigie.learner.monitor;

import io.vigie.learner.Feature;
import io.vigie.learner.Prediction;
import io.vigie.learner.Schema;

import java.io.Serializable;
import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.Deque;
import java.util.List;

/**
 * Drift without labels. Every scored event feeds one channel per feature and three for the
 * model's answer: its score (the positive class's probability for two classes, else the top
 * probability), its entropy and whether it abstained. Each window of {@link #window} events is
 * compared with a reference — features with the first window (the new normal after an alert),
 * the answer's channels with the window before, since the model's answers move as it learns —
 * by Kolmogorov–Smirnov (numeric features) or chi-square (categories; score and entropy by
 * decile), corrected for the number of channels (Bonferroni), and rated by {@link Severity}. Rising entropy or abstentions are the early warning: they move
 * before any label arrives. Only a rise of those two counts.
 *
 * <p>Deterministic: the same events in the same order give the same checks. Serializable, so a
 * snapshot keeps it.
 */
public final class InputDriftMonitor implements Serializable {
    private static final long serialVersionUID = 1L;
    /** Events per window. */
    public static final int DEFAULT_WINDOW = 1000;
    /** Checks kept for the timeline and the heatmap. */
    public static final int HISTORY = 500;
    /** Alerts (warning and above) kept. */
    public static final int ALERTS = 1000;
    /** The model-output channels' names, after the features' (prefixed so no feature name is likely to clash). */
    public static final String SCORE = "model.score";
    public static final String ENTROPY = "model.entropy";
    public static final String ABSTENTION = "model.abstention";
    /** A sample smaller than this (a mostly missing feature) is not tested. */
    private static final int MINIMUM_SAMPLE = 50;

    private final Schema schema;
    private final int window;
    private final List<Channel> channels = new ArrayList<>();
    private final int scoreClass;
    private final Deque<Check> history = new ArrayDeque<>();
    private final Deque<Alert> alerts = new ArrayDeque<>();
    private long observed;
    private long checks;
    private double entropySum;
    private long abstained;
    private int inWindow;

    /** One window's end: every channel's result, with the window's mean entropy and abstention share. */
    public record Check(long observed, long timeMillis, double meanEntropy, double abstentionShare,
                        List<ChannelResult> channels) implements Serializable {
        /** The strongest tier among the channels. */
        public Severity worst() {
            return channels.stream().map(ChannelResult::severity).max(Enum::compareTo).orElse(Severity.NONE);
        }
    }

    /** A channel at warning or above, at the end of the window that showed it. */
    public record Alert(long observed, long timeMillis, ChannelResult result) implements Serializable {
    }

    public InputDriftMonitor(Schema schema) {
        this(schema, DEFAULT_WINDOW);
    }

    public InputDriftMonitor(Schema schema, int window) {
        if (window < 2 * MINIMUM_SAMPLE) {
            throw new IllegalArgumentException("the drift window must hold at least " + 2 * MINIMUM_SAMPLE + " events");
        }
        this.schema = schema;
        this.window = window;
        for (Feature f : schema.features()) {
            channels.add(f.isNominal() ? Channel.nominal(f.name(), f.values().size(), window) : Channel.numeric(f.name(), window));
        }
        channels.add(Channel.output(SCORE, true, false, window));
        channels.add(Channel.output(ENTROPY, true, true, window));
        channels.add(Channel.output(ABSTENTION, false, true, window));
        this.scoreClass = schema.numClasses() == 2 ? 1 : -1;
    }

    /**
     * Takes in one scored event: its values as {@code Instance.toDoubleArray()} gives them (class
     * slot included) and the model's answer. Returns the check when this event closes a window,
     * else null.
     */
    public Check observe(double[] values, Prediction prediction, long timeMillis) {
        int f = 0;
        for (int a = 0; a < values.length; a++) {
            if (a != schema.classAttribute()) {
                channels.get(f++).add(values[a]);
            }
        }
        double[] p = prediction.probabilities().probabilities();
        double score = scoreClass >= 0 ? (p.length > scoreClass ? p[scoreClass] : 0) : p.length == 0 ? 0 : p[prediction.label()];
        double entropy = prediction.uncertainty().entropy();
        channels.get(f).add(score);
        channels.get(f + 1).add(entropy);
        channels.get(f + 2).add(prediction.abstain() ? 1 : 0);
        observed++;
        entropySum += Double.isFinite(entropy) ? entropy : 0;
        abstained += prediction.abstain() ? 1 : 0;
        if (++inWindow < window) {
            return null;
        }
        return check(timeMillis);
    }

    private Check check(long timeMillis) {
        List<ChannelResult> results = new ArrayList<>();
        for (Channel channel : channels) {
            ChannelResult result = channel.close(channels.size(), MINIMUM_SAMPLE);
            if (result != null) {
                results.add(result);
                if (result.severity().compareTo(Severity.WARNING) >= 0) {
                    bounded(alerts, new Alert(observed, timeMillis, result), ALERTS);
                }
            }
        }
        Check check = new Check(observed, timeMillis, entropySum / inWindow, (double) abstained / inWindow, List.copyOf(results));
        bounded(history, check, HISTORY);
        checks++;
        inWindow = 0;
        entropySum = 0;
        abstained = 0;
        return check;
    }

    private static <T> void bounded(Deque<T> deque, T item, int capacity) {
        if (deque.size() == capacity) {
            deque.removeFirst();
        }
        deque.addLast(item);
    }

    /** The channels' names for a schema, in the order checks list them: features, then the model's score, entropy, abstention. */
    public static List<String> channelNames(Schema schema) {
        List<String> names = new ArrayList<>(schema.features().stream().map(Feature::name).toList());
        names.addAll(List.of(SCORE, ENTROPY, ABSTENTION));
        return names;
    }

    public int window() {
        return window;
    }

    public long observed() {
        return observed;
    }

    /** Checks done since the start (older ones than {@link #HISTORY} are no longer kept). */
    public long checks() {
        return checks;
    }

    /** The latest checks, oldest first. */
    public List<Check> history() {
        return List.copyOf(history);
    }

    /** Warnings and alerts, oldest first. */
    public List<Alert> alerts() {
        return List.copyOf(alerts);
    }
}
