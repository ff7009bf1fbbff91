package io.vigie.learner;

import com.github.javacliparser.FloatOption;
import com.github.javacliparser.IntOption;
import com.yahoo.labs.samoa.instances.Attribute;
import com.yahoo.labs.samoa.instances.DenseInstance;
import com.yahoo.labs.samoa.instances.Instance;
import com.yahoo.labs.samoa.instances.Instances;
import com.yahoo.labs.samoa.instances.InstancesHeader;
import moa.classifiers.AbstractClassifier;
import moa.classifiers.Classifier;
import moa.classifiers.MultiClassClassifier;
import moa.classifiers.core.driftdetection.ChangeDetector;
import moa.core.Measurement;
import moa.core.MiscUtils;
import moa.options.ClassOption;

import java.io.Serializable;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.HashSet;
import java.util.List;
import java.util.Random;
import java.util.Set;

/**
 * Streaming random patches (Gomes, Read &amp; Bifet, ICDM 2019), written for Vigie because MOA's
 * own {@code meta.StreamingRandomPatches} cannot be serialized (its member class is not
 * {@code Serializable}), so a model holding it could be neither snapshotted, replayed nor served.
 *
 * <p>Each member is a Hoeffding tree that sees a fixed random subset of the features (a patch) and
 * an online-bagging sample of the labels (each label counts Poisson(λ) times). Each member's
 * error stream feeds two ADWIN detectors: a warning starts a background tree on a new patch, a
 * drift replaces the member by it. The vote averages the members' normalised distributions, each
 * weighted by the member's accuracy since it joined.
 *
 * <p>Where it differs from MOA's on purpose: a member is judged on what it predicted before it
 * learned the label (MOA checks it after training, and only on resampled labels), its weight is
 * the Laplace-smoothed accuracy (a new member is not silenced), and patches are drawn per member,
 * distinct while the feature count allows. All randomness comes from the classifier's seed;
 * prediction draws none and changes nothing.
 */
public final class RandomPatches extends AbstractClassifier implements MultiClassClassifier {
    private static final long serialVersionUID = 1L;
    /** Draws tried per member before a repeated patch is accepted (few features, many members). */
    private static final int DISTINCT_PATCH_TRIES = 50;

    public final IntOption ensembleSizeOption = new IntOption("ensembleSize", 's', "The number of members.", 10, 1,
            Integer.MAX_VALUE);
    public final IntOption patchPercentOption = new IntOption("patchPercent", 'm',
            "Percentage of the features each member sees.", 60, 1, 100);
    public final FloatOption lambdaOption = new FloatOption("lambda", 'a', "Poisson λ of online bagging.", 6.0, 1,
            Float.MAX_VALUE);
    public final ClassOption baseLearnerOption = new ClassOption("baseLearner", 'l', "Member learner.",
            Classifier.class, "trees.HoeffdingTree -g 50 -c 0.01");
    public final ClassOption driftDetectorOption = new ClassOption("driftDetector", 'x',
            "Detector whose signal replaces a member.", ChangeDetector.class, "ADWINChangeDetector -a 1.0E-5");
    public final ClassOption warningDetectorOption = new ClassOption("warningDetector", 'p',
            "Detector whose signal starts a background member.", ChangeDetector.class, "ADWINChangeDetector -a 1.0E-4");

    /** Named {@code ensemble} so that {@link ModelInspector} lists the members like MOA's ensembles. */
    private Member[] ensemble;

    /** One tree on one patch, with its record and detectors. */
    private static final class Member implements Serializable {
        private static final long serialVersionUID = 1L;
        final int[] features;
        final InstancesHeader patch;
        /** Named {@code classifier} for {@link ModelInspector}. */
        final Classifier classifier;
        ChangeDetector drift;
        ChangeDetector warning;
        Member background;
        long seen;
        long correct;
        long numberOfDriftsDetected;
        long numberOfWarningsDetected;
        /** The event projected on the patch for a vote, refilled each time: votes are asked for at every scoring. */
        private transient Instance voting;

        Member(int[] features, InstancesHeader patch, Classifier classifier) {
            this.features = features;
            this.patch = patch;
            this.classifier = classifier;
        }

        double[] votes(Instance instance) {
            if (voting == null) {
                voting = project(instance, 1);
            } else {
                for (int j = 0; j < features.length; j++) {
                    voting.setValue(j, instance.value(features[j]));
                }
                voting.setValue(features.length, instance.classIsMissing() ? 0 : instance.classValue());
            }
            return classifier.getVotesForInstance(voting);
        }

        /** Laplace-smoothed accuracy since the member joined. */
        double weight() {
            return (correct + 1.0) / (seen + 2.0);
        }

        void train(Instance instance, int times) {
            classifier.trainOnInstance(project(instance, times));
            if (background != null) {
                background.train(instance, times);
            }
        }

        private Instance project(Instance instance, double weight) {
            double[] values = new double[features.length + 1];
            for (int j = 0; j < features.length; j++) {
                values[j] = instance.value(features[j]);
            }
            values[features.length] = instance.classIsMissing() ? 0 : instance.classValue();
            Instance projected = new DenseInstance(weight, values);
            projected.setDataset(patch);
            return projected;
        }
    }

    @Override
    public void resetLearningImpl() {
        ensemble = null;
    }

    @Override
    public void trainOnInstanceImpl(Instance instance) {
        if (ensemble == null) {
            ensemble = newEnsemble(instance);
        }
        int truth = (int) instance.classValue();
        for (int i = 0; i < ensemble.length; i++) {
            Member member = ensemble[i];
            ClassProbabilities vote = ClassProbabilities.fromVotes(member.votes(instance), instance.numClasses());
            boolean right = !vote.noOpinion() && vote.label() == truth;
            member.seen++;
            member.correct += right ? 1 : 0;
            member.warning.input(right ? 0 : 1);
            if (member.warning.getChange()) {
                member.numberOfWarningsDetected++;
                member.background = newMember(instance, randomPatch(instance, Set.of()));
                member.warning = newDetector(warningDetectorOption);
            }
            member.drift.input(right ? 0 : 1);
            if (member.drift.getChange()) {
                Member next = watched(member.background != null ? member.background : newMember(instance, randomPatch(instance, Set.of())));
                next.numberOfDriftsDetected = member.numberOfDriftsDetected + 1;
                next.numberOfWarningsDetected = member.numberOfWarningsDetected;
                ensemble[i] = member = next;
            }
            int times = MiscUtils.poisson(lambdaOption.getValue(), classifierRandom);
            if (times > 0) {
                member.train(instance, times);
            }
        }
    }

    @Override
    public double[] getVotesForInstance(Instance instance) {
        double[] combined = new double[instance.numClasses()];
        if (ensemble == null) {
            return combined;
        }
        for (Member member : ensemble) {
            double[] votes = member.votes(instance);
            double sum = 0;
            for (double v : votes) {
                sum += v;
            }
            if (!(sum > 0) || Double.isInfinite(sum)) {
                continue;
            }
            double scale = member.weight() / sum;
            for (int c = 0; c < Math.min(votes.length, combined.length); c++) {
                combined[c] += votes[c] * scale;
            }
        }
        return combined;
    }

    private Member[] newEnsemble(Instance instance) {
        Member[] members = new Member[ensembleSizeOption.getValue()];
        Set<List<Integer>> used = new HashSet<>();
        for (int i = 0; i < members.length; i++) {
            int[] patch = randomPatch(instance, used);
            used.add(Arrays.stream(patch).boxed().toList());
            members[i] = watched(newMember(instance, patch));
        }
        return members;
    }

    /** A sorted random subset of the feature indices, not one of {@code used} if a few draws can avoid it. */
    private int[] randomPatch(Instance instance, Set<List<Integer>> used) {
        int[] features = new int[instance.numAttributes() - 1];
        for (int a = 0, f = 0; a < instance.numAttributes(); a++) {
            if (a != instance.classIndex()) {
                features[f++] = a;
            }
        }
        int size = Math.max(Math.min(2, features.length),
                Math.min(features.length, (int) Math.round(features.length * patchPercentOption.getValue() / 100.0)));
        int[] patch = null;
        for (int attempt = 0; attempt < DISTINCT_PATCH_TRIES; attempt++) {
            patch = draw(features, size, classifierRandom);
            if (!used.contains(Arrays.stream(patch).boxed().toList())) {
                break;
            }
        }
        return patch;
    }

    private static int[] draw(int[] features, int size, Random random) {
        int[] pool = features.clone();
        for (int i = 0; i < size; i++) {
            int j = i + random.nextInt(pool.length - i);
            int swap = pool[i];
            pool[i] = pool[j];
            pool[j] = swap;
        }
        int[] patch = Arrays.copyOf(pool, size);
        Arrays.sort(patch);
        return patch;
    }

    /** A fresh member on a patch, without detectors (a background member needs none until it takes over). */
    private Member newMember(Instance instance, int[] features) {
        List<Attribute> attributes = new ArrayList<>(features.length + 1);
        for (int feature : features) {
            attributes.add(instance.attribute(feature));
        }
        attributes.add(instance.classAttribute());
        Instances header = new Instances("patch", attributes, 0);
        header.setClassIndex(features.length);
        InstancesHeader patch = new InstancesHeader(header);
        Classifier classifier = ((Classifier) getPreparedClassOption(baseLearnerOption)).copy();
        classifier.resetLearning();
        classifier.setModelContext(patch);
        return new Member(features, patch, classifier);
    }

    /** The member with fresh drift and warning detectors, as it joins the ensemble. */
    private Member watched(Member member) {
        member.drift = newDetector(driftDetectorOption);
        member.warning = newDetector(warningDetectorOption);
        return member;
    }

    private ChangeDetector newDetector(ClassOption option) {
        ChangeDetector detector = ((ChangeDetector) getPreparedClassOption(option)).copy();
        detector.resetLearning();
        return detector;
    }

    @Override
    public boolean isRandomizable() {
        return true;
    }

    @Override
    protected Measurement[] getModelMeasurementsImpl() {
        long drifts = 0;
        long warnings = 0;
        if (ensemble != null) {
            for (Member member : ensemble) {
                drifts += member.numberOfDriftsDetected;
                warnings += member.numberOfWarningsDetected;
            }
        }
        return new Measurement[]{
                new Measurement("members", ensembleSizeOption.getValue()),
                new Measurement("drifts detected", drifts),
                new Measurement("warnings detected", warnings)};
    }

    @Override
    public void getModelDescription(StringBuilder out, int indent) {
        out.append("streaming random patches of ").append(ensembleSizeOption.getValue()).append(" Hoeffding trees");
    }
}
