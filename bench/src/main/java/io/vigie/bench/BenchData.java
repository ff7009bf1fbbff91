package io.vigie.bench;

import com.yahoo.labs.samoa.instances.Instance;
import io.vigie.datasets.Streams;
import io.vigie.learner.AbstentionSettings;
import io.vigie.learner.EventStream;
import io.vigie.learner.Learners;
import io.vigie.learner.Model;
import io.vigie.learner.ModelSpec;
import io.vigie.learner.Schema;
import moa.classifiers.Classifier;
import moa.options.ClassOption;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Set;

/** Inputs shared by the benchmarks: the shared datasets folder, Elec2's first events, raw MOA learners. */
final class BenchData {
    private BenchData() {
    }

    /** The shared datasets folder: {@code -Dvigie.datasets=DIR}, else {@code ../shared/datasets}. */
    static Path datasets() {
        Path dir = Path.of(System.getProperty("vigie.datasets", "../shared/datasets"));
        if (!Files.isDirectory(dir)) {
            throw new IllegalStateException("shared datasets not found at " + dir.toAbsolutePath() + "; pass -Dvigie.datasets=DIR");
        }
        return dir;
    }

    /** Elec2's schema and its first {@code count} labelled instances, in order. */
    static Loaded elec2(int count) {
        try (EventStream stream = Streams.open(datasets().resolve("elec2.arff.gz").toString(), null, null, Set.of(), count)) {
            List<Instance> instances = new ArrayList<>();
            while (stream.hasNext()) {
                instances.add(stream.next().instance());
            }
            return new Loaded(stream.schema(), instances.toArray(new Instance[0]));
        }
    }

    /** A model of {@code preset} that has learned the first {@code events} instances test-then-train, as the service would. */
    static Model trained(Loaded data, String preset, int events) {
        Model model = new Model(Learners.create(ModelSpec.of(preset), data.schema()), AbstentionSettings.DEFAULTS);
        for (int i = 0; i < events; i++) {
            Instance instance = data.instances()[i];
            model.learn(instance, model.predict(data.schema().withoutLabel(instance)));
        }
        return model;
    }

    /** A schema with labelled instances. */
    record Loaded(Schema schema, Instance[] instances) {
    }

    /** The MOA classifier of a CLI string, prepared for a schema, as MOA's own tasks build it. */
    static Classifier rawMoa(String cli, int seed, Schema schema) {
        try {
            Classifier classifier = (Classifier) ClassOption.cliStringToObject(cli, Classifier.class, null);
            classifier.setRandomSeed(seed);
            classifier.setModelContext(schema.header());
            classifier.prepareForUse();
            return classifier;
        } catch (Exception e) {
            throw new IllegalArgumentException(cli, e);
        }
    }
}
