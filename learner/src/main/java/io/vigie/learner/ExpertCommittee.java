package io.vigie.learner;

import com.yahoo.labs.samoa.instances.Instance;
import moa.classifiers.core.driftdetection.ChangeDetector;
import moa.options.ClassOption;

import java.io.Serializable;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * A heterogeneous committee of MOA experts (by default HAT, ARF-10, LevBag-10, SRP-10, naive
 * Bayes and no-change) that tracks the best of them as the stream drifts.
 *
 * <p><b>Weights.</b> Exponentially weighted forecasting with fixed share (Herbster &amp; Warmuth):
 * when a label arrives, each expert's log-weight drops by η for a wrong prediction — the
 * prediction it made when the event was scored, so under label delay an expert is judged on
 * what it actually said — then a share β of the total weight is spread evenly, so an expert
 * that was poor can take the lead again after a drift. Policy {@code weighted} averages the
 * experts' distributions with these weights; {@code best-expert} answers with the heaviest.
 *
 * <p><b>Drift resets.</b> A detector (ADWIN by default) watches each expert's error stream. When
 * one signals a rise in error, the expert with the worst recent accuracy (among those older than
 * the warm-up buffer) is replaced by a fresh one of its kind, trained on the latest labelled
 * events, and the reset is recorded as a {@link DriftReset}.
 *
 * <p>Everything is seeded: the initial experts use the spec's seed, the n-th replacement seed + n.
 */
final class ExpertCommittee implements Ensemble, Serializable {
    private static final long serialVersionUID = 1L;

    private final ModelSpec spec;
    private final Schema schema;
    private final CommitteeSpec config;
    private final List<Expert> experts = new ArrayList<>();
    private final Instance[] buffer;
    private int bufferNext;
    private int bufferSize;
    private final List<DriftReset> resets = new ArrayList<>();
    private long learned;

    /** One member: its learner, weight, detector and recent record. */
    private static final class Expert implements Serializable {
        private static final long serialVersionUID = 1L;
        final String model;
        final Learner learner;
        final ChangeDetector detector;
        final boolean[] recent;
        final long bornAt;
        double logWeight;
        int recentNext;
        int recentCount;
        int recentCorrect;
        long signals;
        /** Index in the committee's reset list of the reset that created this expert, or -1. */
        int createdBy = -1;

        Expert(String model, Learner learner, ChangeDetector detector, int window, long bornAt, double logWeight) {
            this.model = model;
            this.learner = learner;
            this.detector = detector;
            this.recent = new boolean[window];
            this.bornAt = bornAt;
            this.logWeight = logWeight;
        }

        void record(boolean correct) {
            if (recentCount == recent.length) {
                recentCorrect -= recent[recentNext] ? 1 : 0;
            } else {
                recentCount++;
            }
            recent[recentNext] = correct;
            recentCorrect += correct ? 1 : 0;
            recentNext = (recentNext + 1) % recent.length;
        }

        double recentAccuracy() {
            return recentCount == 0 ? Double.NaN : (double) recentCorrect / recentCount;
        }
    }

    ExpertCommittee(ModelSpec spec, Schema schema, CommitteeSpec config) {
        this.spec = spec;
        this.schema = schema;
        this.config = config;
        this.buffer = new Instance[config.buffer()];
        for (String model : config.experts()) {
            experts.add(newExpert(model, spec.seed(), 0));
        }
    }

    private Expert newExpert(String model, int seed, double logWeight) {
        Learner learner = Learners.create(new ModelSpec(model, seed), schema);
        return new Expert(model, learner, newDetector(), config.window(), learned, logWeight);
    }

    private ChangeDetector newDetector() {
        try {
            ChangeDetector detector = (ChangeDetector) ClassOption.cliStringToObject(config.detectorCli(), ChangeDetector.class, null);
            detector.prepareForUse();
            return detector;
        } catch (Exception e) {
            throw new ModelSpecException("MOA rejected the drift detector " + config.detectorCli() + ": " + e.getMessage(), e);
        }
    }

    @Override
    public List<ClassProbabilities> memberProba(Instance instance) {
        List<ClassProbabilities> members = new ArrayList<>(experts.size());
        for (Expert expert : experts) {
            members.add(expert.learner.predictProba(instance));
        }
        return members;
    }

    @Override
    public ClassProbabilities combine(List<ClassProbabilities> members) {
        double[] weights = weights();
        if (config.policy() == CommitteeSpec.Policy.BEST_EXPERT) {
            int best = 0;
            for (int i = 1; i < weights.length; i++) {
                if (weights[i] > weights[best]) {
                    best = i;
                }
            }
            return members.get(best);
        }
        double[] votes = new double[schema.numClasses()];
        for (int i = 0; i < members.size(); i++) {
            double[] p = members.get(i).probabilities();
            for (int c = 0; c < votes.length; c++) {
                votes[c] += weights[i] * p[c];
            }
        }
        return ClassProbabilities.fromVotes(votes, votes.length);
    }

    /** The experts' normalised weights. */
    private double[] weights() {
        double max = Double.NEGATIVE_INFINITY;
        for (Expert expert : experts) {
            max = Math.max(max, expert.logWeight);
        }
        double[] weights = new double[experts.size()];
        double sum = 0;
        for (int i = 0; i < weights.length; i++) {
            weights[i] = Math.exp(experts.get(i).logWeight - max);
            sum += weights[i];
        }
        for (int i = 0; i < weights.length; i++) {
            weights[i] /= sum;
        }
        return weights;
    }

    @Override
    public void learn(Instance labelled, List<Integer> memberLabelsAtPrediction) {
        if (memberLabelsAtPrediction.size() != experts.size()) {
            throw new IllegalArgumentException("expected " + experts.size() + " member labels, got " + memberLabelsAtPrediction.size());
        }
        int truth = (int) labelled.classValue();
        int trigger = -1;
        for (int i = 0; i < experts.size(); i++) {
            Expert expert = experts.get(i);
            boolean correct = memberLabelsAtPrediction.get(i) == truth;
            expert.logWeight -= correct ? 0 : config.eta();
            expert.record(correct);
            if (expert.createdBy >= 0 && expert.recentCount == config.window()) {
                resets.set(expert.createdBy, resets.get(expert.createdBy).withAccuracyAfter(expert.recentAccuracy()));
                expert.createdBy = -1;
            }
            double before = expert.detector.getEstimation();
            expert.detector.input(correct ? 0 : 1);
            if (expert.detector.getChange() && expert.detector.getEstimation() >= before) {
                expert.signals++;
                trigger = trigger < 0 ? i : trigger;
            }
            expert.learner.learn(labelled);
        }
        shareWeights();
        remember(labelled);
        learned++;
        if (trigger >= 0) {
            replaceWorst(trigger);
        }
    }

    /** Fixed share: w ← (1 − β) w + β / n, kept in log space. */
    private void shareWeights() {
        double[] weights = weights();
        double share = config.share() / experts.size();
        for (int i = 0; i < weights.length; i++) {
            experts.get(i).logWeight = Math.log((1 - config.share()) * weights[i] + share);
        }
    }

    private void remember(Instance labelled) {
        buffer[bufferNext] = labelled;
        bufferNext = (bufferNext + 1) % buffer.length;
        bufferSize = Math.min(bufferSize + 1, buffer.length);
    }

    private void replaceWorst(int trigger) {
        int worst = -1;
        for (int i = 0; i < experts.size(); i++) {
            Expert expert = experts.get(i);
            boolean oldEnough = learned - expert.bornAt >= buffer.length && expert.recentCount > 0;
            if (oldEnough && (worst < 0 || expert.recentAccuracy() < experts.get(worst).recentAccuracy())) {
                worst = i;
            }
        }
        if (worst < 0) {
            return;
        }
        Expert old = experts.get(worst);
        double meanLogWeight = experts.stream().mapToDouble(e -> e.logWeight).average().orElse(0);
        Expert fresh = newExpert(old.model, spec.seed() + resets.size() + 1, meanLogWeight);
        for (int k = 0; k < bufferSize; k++) {
            fresh.learner.learn(buffer[(bufferNext - bufferSize + k + buffer.length) % buffer.length]);
        }
        fresh.createdBy = resets.size();
        resets.add(new DriftReset(learned, worst, old.model, trigger, config.detector(), old.recentAccuracy(), Double.NaN));
        experts.set(worst, fresh);
    }

    @Override
    public ModelSpec spec() {
        return spec;
    }

    @Override
    public Schema schema() {
        return schema;
    }

    @Override
    public long learned() {
        return learned;
    }

    @Override
    public ModelState state() {
        double[] weights = weights();
        List<ModelState.Member> members = new ArrayList<>();
        for (int i = 0; i < experts.size(); i++) {
            Expert expert = experts.get(i);
            ModelState inner = expert.learner.state();
            Map<String, Double> measurements = new LinkedHashMap<>(inner.measurements());
            measurements.put("weight", weights[i]);
            measurements.put("recent accuracy", expert.recentAccuracy());
            measurements.put("age (events)", (double) (learned - expert.bornAt));
            measurements.put("serialized bytes", (double) inner.serializedBytes());
            members.add(new ModelState.Member(i, expert.model, measurements, expert.signals, -1));
        }
        Map<String, Double> measurements = new LinkedHashMap<>();
        measurements.put("experts", (double) experts.size());
        measurements.put("drift resets", (double) resets.size());
        return new ModelState(getClass().getName() + " " + Learners.canonicalCli(spec), learned, measurements, members,
                List.copyOf(resets), Snapshots.serializedSize(this));
    }
}
