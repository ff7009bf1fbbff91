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
 * A heterogeneous committee of MOA experts (by default HAT, two ARF-10 variants, LevBag-10, naive
 * Bayes, no-change and Vigie's {@link RandomPatches}) that tracks the best of them as the stream
 * drifts.
 *
 * <p><b>Weights.</b> Exponentially weighted forecasting with fixed share (Herbster &amp; Warmuth):
 * when a label arrives, each expert's log-weight drops by η for a wrong prediction — the
 * prediction it made when the event was scored, so under label delay an expert is judged on
 * what it actually said — then a share β of the total weight is spread evenly, so an expert
 * that was poor can take the lead again after a drift. Policy {@code weighted} averages the
 * experts' distributions with these weights; {@code best-expert} answers with the heaviest.
 *
 * <p>With {@code -c balanced} a mistake on an event of class c costs η / (K · share of c among
 * the latest {@code -w} labels), at most {@value #MOST_A_MISTAKE_COUNTS} η, as balanced accuracy
 * weighs errors: an expert that never names a rare class no longer errs least. It is not the
 * default: on both imbalanced streams of the suite it ranked and decided worse than the plain
 * count (docs/results.md, "Beyond the development streams"); the committee's decision where a
 * class is rare is its {@link KappaLine}, which the plain weights serve better.
 *
 * <p><b>Drift resets.</b> A detector (ADWIN by default) watches each expert's error stream. When
 * one signals a rise in error, the worst of the signalling experts (lowest recent accuracy, among
 * those older than the warm-up buffer) is challenged: a fresh expert of its kind, trained on the
 * latest labelled events, shadows it — it predicts every new event without a vote, and learns
 * every label. Once one window of its predictions has been labelled, it replaces the old expert
 * only if it was right more often on those same events, as predicted at scoring time (a fresh
 * model looks better on old events than it predicts new ones under delay); the replacement is
 * recorded as a {@link DriftReset}. A detector on noisy real data fires often, and replacing an
 * expert on every signal throws away more than it gains; the trial keeps only the resets that
 * pay. (A label scored during one trial and arriving during the next counts for the next; trials
 * are rare.)
 *
 * <p>Everything is seeded: the i-th expert (from 0) uses the spec's seed + i, because randomized
 * experts draw their bagging weights alike and with one seed would draw the same ones; the n-th
 * challenger (from 1) uses seed + (number of experts) + n − 1.
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
    private Trial trial;
    private long rejectedTrials;
    private long learned;
    /** The latest labels' classes (a ring) and their counts, for balanced mistakes; null when plain. */
    private int[] recentClasses;
    private int[] classCounts;
    private long recentLabels;
    /** The most one mistake can count, in η: a class rarer than 1/(5K) counts as that rare. */
    static final int MOST_A_MISTAKE_COUNTS = 5;

    /** A fresh expert on trial against the one it would replace. */
    private static final class Trial implements Serializable {
        private static final long serialVersionUID = 1L;
        final int target;
        final Learner candidate;
        int tested;
        int candidateCorrect;
        int targetCorrect;

        Trial(int target, Learner candidate) {
            this.target = target;
            this.candidate = candidate;
        }
    }

    /** One member: its learner, weight, detector and recent record. */
    private static final class Expert implements Serializable {
        private static final long serialVersionUID = 1L;
        final String model;
        final Learner learner;
        /** Watches the expert's error stream; null when resets are off. */
        final ChangeDetector detector;
        final boolean[] recent;
        final long bornAt;
        double logWeight;
        int recentNext;
        int recentCount;
        int recentCorrect;
        long signals;

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
        if (config.balanced()) {
            recentClasses = new int[config.window()];
            classCounts = new int[schema.numClasses()];
        }
        List<String> models = config.experts();
        for (int i = 0; i < models.size(); i++) {
            experts.add(expert(models.get(i), Learners.create(new ModelSpec(models.get(i), spec.seed() + i), schema), 0));
        }
    }

    /** An expert joining now, with a fresh detector and an empty record. */
    private Expert expert(String model, Learner learner, double logWeight) {
        return new Expert(model, learner, newDetector(), config.window(), learned, logWeight);
    }

    private ChangeDetector newDetector() {
        if (config.detectorCli() == null) {
            return null;
        }
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

    /** Each expert's weight and its own explanation (a tree's decision path), with the committee's distribution. */
    @Override
    public Explanation explain(Instance instance) {
        double[] weights = weights();
        List<Explanation.Member> members = new ArrayList<>(experts.size());
        List<ClassProbabilities> votes = new ArrayList<>(experts.size());
        for (int i = 0; i < experts.size(); i++) {
            Explanation own = experts.get(i).learner.explain(instance);
            members.add(new Explanation.Member(i, weights[i], own));
            votes.add(own.probabilities());
        }
        return new Explanation(spec().model(), combine(votes), List.of(), members);
    }

    /** The experts' predicted classes, and the challenger's when one is on trial. */
    @Override
    public List<Integer> labelsToRemember(Instance instance, List<ClassProbabilities> members) {
        List<Integer> labels = new ArrayList<>(members.size() + 1);
        members.forEach(m -> labels.add(m.label()));
        if (trial != null) {
            labels.add(trial.candidate.predictProba(instance).label());
        }
        return labels;
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
    public void learn(Instance labelled, List<Integer> remembered) {
        if (remembered.size() != experts.size() && remembered.size() != experts.size() + 1) {
            throw new IllegalArgumentException("expected " + experts.size() + " member labels, got " + remembered.size());
        }
        int truth = (int) labelled.classValue();
        List<Learner> learners = new ArrayList<>(experts.size() + 1);
        if (trial != null && runTrial(labelled, truth, remembered)) {
            learners.add(trial.candidate); // the trial goes on: its candidate learns beside the members
        }
        List<Integer> signalled = new ArrayList<>(0);
        double mistake = config.eta() * mistakeWeight(truth);
        for (int i = 0; i < experts.size(); i++) {
            Expert expert = experts.get(i);
            boolean correct = remembered.get(i) == truth;
            expert.logWeight -= correct ? 0 : mistake;
            expert.record(correct);
            if (expert.detector != null) {
                double before = expert.detector.getEstimation();
                expert.detector.input(correct ? 0 : 1);
                if (expert.detector.getChange() && expert.detector.getEstimation() >= before) {
                    expert.signals++;
                    signalled.add(i);
                }
            }
            learners.add(expert.learner);
        }
        LearningThreads.learnAll(learners, labelled); // side by side when threads are set: each member is its own
        shareWeights();
        remember(labelled);
        learned++;
        if (!signalled.isEmpty() && trial == null) {
            challengeWorst(signalled);
        }
    }

    /**
     * How much a mistake on an event of class {@code truth} counts, in η: 1 when plain; balanced,
     * 1 / (K · the class's share of the latest labels, this one included), at most
     * {@value #MOST_A_MISTAKE_COUNTS}.
     */
    private double mistakeWeight(int truth) {
        if (recentClasses == null) {
            return 1;
        }
        int slot = (int) (recentLabels % recentClasses.length);
        if (recentLabels >= recentClasses.length) {
            classCounts[recentClasses[slot]]--;
        }
        recentClasses[slot] = truth;
        classCounts[truth]++;
        recentLabels++;
        double share = (double) classCounts[truth] / Math.min(recentLabels, recentClasses.length);
        return Math.min(MOST_A_MISTAKE_COUNTS, 1 / (classCounts.length * share));
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

    /**
     * Scores the challenger and its target on a label, by what each predicted when the event was
     * scored, and decides once a window of such labels is in: then the challenger learns the
     * label first, and takes the target's place if it did better. Returns whether the trial goes
     * on, its challenger still to learn the label.
     */
    private boolean runTrial(Instance labelled, int truth, List<Integer> remembered) {
        if (remembered.size() > experts.size()) {
            trial.tested++;
            trial.candidateCorrect += remembered.get(experts.size()) == truth ? 1 : 0;
            trial.targetCorrect += remembered.get(trial.target) == truth ? 1 : 0;
        }
        if (trial.tested < config.window()) {
            return true;
        }
        trial.candidate.learn(labelled);
        if (trial.candidateCorrect > trial.targetCorrect) {
            Expert old = experts.get(trial.target);
            double meanLogWeight = experts.stream().mapToDouble(e -> e.logWeight).average().orElse(0);
            experts.set(trial.target, expert(old.model, trial.candidate, meanLogWeight));
            resets.add(new DriftReset(learned, trial.target, old.model, config.detector(),
                    (double) trial.targetCorrect / trial.tested, (double) trial.candidateCorrect / trial.tested));
        } else {
            rejectedTrials++;
        }
        trial = null;
        return false;
    }

    /** Starts a trial against the worst of the experts whose error rose. */
    private void challengeWorst(List<Integer> signalled) {
        int worst = -1;
        for (int i : signalled) {
            Expert expert = experts.get(i);
            boolean oldEnough = learned - expert.bornAt >= buffer.length && expert.recentCount > 0;
            if (oldEnough && (worst < 0 || expert.recentAccuracy() < experts.get(worst).recentAccuracy())) {
                worst = i;
            }
        }
        if (worst < 0) {
            return;
        }
        int seed = spec.seed() + experts.size() + (int) (resets.size() + rejectedTrials);
        Learner candidate = Learners.create(new ModelSpec(experts.get(worst).model, seed), schema);
        for (int k = 0; k < bufferSize; k++) {
            candidate.learn(buffer[(bufferNext - bufferSize + k + buffer.length) % buffer.length]);
        }
        trial = new Trial(worst, candidate);
    }

    @Override
    public List<DriftReset> resets() {
        return List.copyOf(resets);
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

    /** The committee's prediction only reads its experts (and the one on trial): it changes nothing if they change nothing. */
    @Override
    public boolean predictsWithoutChange() {
        return experts.stream().allMatch(e -> e.learner.predictsWithoutChange())
                && (trial == null || trial.candidate.predictsWithoutChange());
    }

    @Override
    public ModelState state() {
        double[] weights = weights();
        List<ModelState.Member> members = new ArrayList<>();
        for (int i = 0; i < experts.size(); i++) {
            Expert expert = experts.get(i);
            ModelState inner = expert.learner.state();
            members.add(new ModelState.Member(i, expert.model, inner.measurements(), expert.signals, -1, weights[i],
                    expert.recentAccuracy(), learned - expert.bornAt, inner.serializedBytes()));
        }
        Map<String, Double> measurements = new LinkedHashMap<>();
        measurements.put("experts", (double) experts.size());
        measurements.put("drift resets", (double) resets.size());
        measurements.put("rejected challengers", (double) rejectedTrials);
        return new ModelState(getClass().getName() + " " + Learners.canonicalCli(spec), learned, measurements, members,
                List.copyOf(resets), Snapshots.serializedSize(this));
    }
}
