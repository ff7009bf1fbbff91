package io.vigie.learner;

import java.io.Serializable;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.Map;

/**
 * The settings of an expert committee, read from a model string such as {@code committee} or
 * {@code committee -e hat,arf,nb -p best-expert -d ddm}.
 *
 * <p>Options: {@code -e} experts (comma-separated presets or single-word MOA classifier names;
 * default {@value #DEFAULT_EXPERTS}); {@code -p} policy, {@code weighted} (default) or
 * {@code best-expert}; {@code -d} drift detector on each expert's error stream, {@code adwin}
 * (default), {@code page-hinkley}, {@code ddm}, or {@code none} (no resets); {@code -w} window of recent accuracy (500);
 * {@code -b} warm-up buffer of a fresh expert (500); {@code -l} learning rate η of the weights
 * (0.15); {@code -s} fixed share β (0.003); {@code -c} how a mistake counts against an expert's
 * weight, {@code plain} (every mistake alike, the default) or {@code balanced} (a mistake on an
 * event of a class weighs as much as that class is rare among the latest {@code -w} labels, see
 * {@link ExpertCommittee}); committees from before this option read as plain.
 *
 * <p>The defaults come from a grid over η, β and member sets on Elec2, weather and an Agrawal
 * drift stream, each with delays 0 and 1000 (docs/results.md).
 */
record CommitteeSpec(List<String> experts, Policy policy, String detector, int window, int buffer, double eta,
                     double share, boolean balanced) implements Serializable {
    static final String NAME = "committee";
    static final String DEFAULT_EXPERTS = "hat,arf,arf25,levbag,nb,nochange,patches";
    /** Detector names and their MOA CLI strings; "none" disables drift resets. */
    private static final Map<String, String> DETECTORS = Map.of(
            "adwin", "ADWINChangeDetector -a 1.0E-4",
            "page-hinkley", "PageHinkleyDM",
            "ddm", "DDM",
            "none", "");

    /** How the committee turns its experts' votes into one distribution. */
    enum Policy {
        /** Weighted average of the experts' distributions. */
        WEIGHTED,
        /** The distribution of the expert with the highest weight. */
        BEST_EXPERT
    }

    static boolean isCommittee(String model) {
        return model.equals(NAME) || model.startsWith(NAME + " ");
    }

    static CommitteeSpec parse(String model) {
        String[] tokens = model.strip().split("\\s+");
        List<String> experts = List.of(DEFAULT_EXPERTS.split(","));
        Policy policy = Policy.WEIGHTED;
        String detector = "adwin";
        int window = 500;
        int buffer = 500;
        double eta = 0.15;
        double share = 0.003;
        boolean balanced = false;
        for (int i = 1; i < tokens.length; i += 2) {
            if (i + 1 >= tokens.length) {
                throw new ModelSpecException("committee option " + tokens[i] + " needs a value");
            }
            String value = tokens[i + 1];
            switch (tokens[i]) {
                case "-e" -> experts = expertList(value);
                case "-p" -> policy = switch (value) {
                    case "weighted" -> Policy.WEIGHTED;
                    case "best-expert" -> Policy.BEST_EXPERT;
                    default -> throw new ModelSpecException("unknown committee policy '" + value + "', valid: weighted, best-expert");
                };
                case "-d" -> {
                    if (!DETECTORS.containsKey(value)) {
                        throw new ModelSpecException("unknown drift detector '" + value + "', valid: " + DETECTORS.keySet());
                    }
                    detector = value;
                }
                case "-w" -> window = positive("-w", value);
                case "-b" -> buffer = positive("-b", value);
                case "-l" -> eta = number("-l", value);
                case "-s" -> share = number("-s", value);
                case "-c" -> balanced = switch (value) {
                    case "plain" -> false;
                    case "balanced" -> true;
                    default -> throw new ModelSpecException("unknown mistake count '" + value + "', valid: plain, balanced");
                };
                default -> throw new ModelSpecException("unknown committee option " + tokens[i] + ", valid: -e -p -d -w -b -l -s -c");
            }
        }
        if (share >= 1) {
            throw new ModelSpecException("committee share -s must be below 1, got " + share);
        }
        return new CommitteeSpec(experts, policy, detector, window, buffer, eta, share, balanced);
    }

    /** The model string with every option spelled out, defaults included. */
    String cli() {
        return NAME + " -e " + String.join(",", experts) + " -p " + policy.name().toLowerCase(Locale.ROOT).replace('_', '-')
                + " -d " + detector + " -w " + window + " -b " + buffer + " -l " + eta + " -s " + share
                + (balanced ? " -c balanced" : "");
    }

    /** The MOA CLI string of the drift detector, or null when resets are off. */
    String detectorCli() {
        String cli = DETECTORS.get(detector);
        return cli.isEmpty() ? null : cli;
    }

    private static List<String> expertList(String value) {
        List<String> experts = new ArrayList<>();
        for (String expert : value.split(",")) {
            if (expert.isBlank()) {
                throw new ModelSpecException("empty expert in committee list '" + value + "'");
            }
            if (isCommittee(expert)) {
                throw new ModelSpecException("a committee cannot be its own expert");
            }
            experts.add(expert.strip());
        }
        if (experts.size() < 2) {
            throw new ModelSpecException("a committee needs at least two experts, got " + experts);
        }
        return List.copyOf(experts);
    }

    private static int positive(String option, String value) {
        try {
            int n = Integer.parseInt(value);
            if (n > 0) {
                return n;
            }
        } catch (NumberFormatException e) {
            // fall through to the error below
        }
        throw new ModelSpecException("committee option " + option + " must be a positive whole number, got '" + value + "'");
    }

    private static double number(String option, String value) {
        try {
            double d = Double.parseDouble(value);
            if (d >= 0 && Double.isFinite(d)) {
                return d;
            }
        } catch (NumberFormatException e) {
            // fall through to the error below
        }
        throw new ModelSpecException("committee option " + option + " must be a number >= 0, got '" + value.toLowerCase(Locale.ROOT) + "'");
    }
}
