package io.vigie.learner;

import moa.classifiers.Classifier;
import moa.options.ClassOption;

import java.util.Set;

/** Builds learners from specs: the one factory of this library. */
public final class Learners {
    private static final String MOA_CLASSIFIERS = "moa.classifiers.";
    /** Vigie's own MOA classifiers, the only ones outside {@code moa.classifiers} a model string may name. */
    private static final Set<String> VIGIE_CLASSIFIERS = Set.of(RandomPatches.class.getName(), AdaptiveForest.class.getName());
    /** Words in the names of MOA's options that set how many models an ensemble holds (ensembleSize, maxExperts, memberCount...). */
    private static final Set<String> MEMBER_OPTIONS = Set.of("ensemble", "expert", "member", "numclassifiers", "nummodels", "maxmodels");

    private Learners() {
    }

    /**
     * A fresh, untrained learner for a schema. The spec's model is a preset or an MOA classifier
     * CLI string; only classes under {@code moa.classifiers} and Vigie's own {@link RandomPatches}
     * and {@link AdaptiveForest} are accepted, so a model string can never make the JVM load an arbitrary class.
     *
     * @throws ModelSpecException when the model is unknown or MOA rejects its options
     */
    public static Learner create(ModelSpec spec, Schema schema) {
        if (CommitteeSpec.isCommittee(spec.model())) {
            return new ExpertCommittee(spec, schema, CommitteeSpec.parse(spec.model()));
        }
        Classifier classifier = newClassifier(spec);
        try {
            // MOA's own tasks prepare a learner first and give it the header after; some (BLAST) need that order
            classifier.prepareForUse();
            classifier.setModelContext(schema.header());
        } catch (RuntimeException e) {
            throw new ModelSpecException("MOA could not build the model '" + spec.model() + "' for this schema: " + e, e);
        }
        return new MoaLearner(spec, schema, classifier, 0);
    }

    /**
     * The MOA CLI string of a spec as MOA prints it back (preset resolved, options validated).
     * MOA's CLI cannot express the random seed, so it is not in this string: provenance records
     * {@link ModelSpec#seed()} beside it.
     */
    public static String canonicalCli(ModelSpec spec) {
        if (CommitteeSpec.isCommittee(spec.model())) {
            return CommitteeSpec.parse(spec.model()).cli();
        }
        return ClassOption.objectToCLIString(newClassifier(spec), Classifier.class);
    }

    /**
     * How many base models a spec builds at most, read from its options before anything is built:
     * the product of ensemble sizes down nested base learners, summed over a committee's experts.
     * The service bounds it, since an ensemble allocates its members at once ({@code meta.OzaBag
     * -s 300000} would exhaust the heap before learning anything).
     */
    public static long members(ModelSpec spec) {
        if (CommitteeSpec.isCommittee(spec.model())) {
            long total = 0;
            for (String expert : CommitteeSpec.parse(spec.model()).experts()) {
                total = Math.addExact(total, members(new ModelSpec(expert, spec.seed())));
            }
            return total;
        }
        return members(newClassifier(spec));
    }

    private static long members(Object handler) {
        if (!(handler instanceof moa.options.AbstractOptionHandler options)) {
            return 1;
        }
        long size = 1;
        long nested = 1;
        for (com.github.javacliparser.Option option : options.getOptions().getOptionArray()) {
            String name = option.getName().toLowerCase(java.util.Locale.ROOT);
            if (option instanceof com.github.javacliparser.IntOption count && MEMBER_OPTIONS.stream().anyMatch(name::contains)) {
                size = Math.max(size, count.getValue());
            } else if (option instanceof moa.options.AbstractClassOption inner && inner.getPreMaterializedObject() instanceof Classifier) {
                nested = Math.max(nested, members(inner.getPreMaterializedObject()));
            }
        }
        return Math.multiplyExact(size, nested);
    }

    private static Classifier newClassifier(ModelSpec spec) {
        String cli = spec.moaCli();
        String className = cli.split("\\s+", 2)[0];
        String qualified = className.startsWith(MOA_CLASSIFIERS) || VIGIE_CLASSIFIERS.contains(className)
                ? className : MOA_CLASSIFIERS + className;
        Class<?> type;
        try {
            type = Class.forName(qualified, false, Learners.class.getClassLoader());
        } catch (ClassNotFoundException e) {
            throw new ModelSpecException("unknown model '" + spec.model() + "': not a preset (" + ModelSpec.presetNames()
                    + ") and no MOA classifier named " + qualified);
        }
        if (!Classifier.class.isAssignableFrom(type)) {
            throw new ModelSpecException("'" + className + "' is not an MOA classifier");
        }
        if (moa.classifiers.Regressor.class.isAssignableFrom(type)) {
            throw new ModelSpecException("'" + className + "' is a regressor; a model predicts classes, so it needs a classifier");
        }
        String options = cli.substring(className.length());
        Classifier classifier;
        try {
            classifier = (Classifier) ClassOption.cliStringToObject(qualified + options, Classifier.class, null);
        } catch (Exception e) {
            throw new ModelSpecException("MOA rejected the model '" + spec.model() + "': " + firstLine(e), e);
        } catch (LinkageError e) {
            throw new ModelSpecException("MOA could not load the model '" + spec.model() + "': " + e, e);
        }
        // MOA's -r option is not public, so its CLI cannot set it: the spec's seed is set here.
        classifier.setRandomSeed(spec.seed());
        return classifier;
    }

    private static String firstLine(Throwable e) {
        Throwable root = e;
        while (root.getCause() != null && root.getCause() != root) {
            root = root.getCause();
        }
        String message = e.getMessage() == null ? e.toString() : e.getMessage().strip().split("\n", 2)[0];
        return root == e || root.getMessage() == null ? message : message + " (" + root.getMessage().strip().split("\n", 2)[0] + ")";
    }
}
