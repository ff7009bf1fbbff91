package io.vigie.learner;

import com.yahoo.labs.samoa.instances.Instance;
import moa.streams.generators.AgrawalGenerator;

/** A bounded, seeded MOA Agrawal stream for tests of the learner library. */
final class GeneratedStream implements EventStream {
    private final AgrawalGenerator generator = new AgrawalGenerator();
    private final Schema schema;
    private final long length;
    private long emitted;

    GeneratedStream(int function, int seed, long length) {
        generator.functionOption.setValue(function);
        generator.instanceRandomSeedOption.setValue(seed);
        generator.prepareForUse();
        this.schema = Schema.fromHeader(generator.getHeader());
        this.length = length;
    }

    /** The next instance, with its class. */
    Instance nextInstance() {
        return next().instance();
    }

    @Override
    public Schema schema() {
        return schema;
    }

    @Override
    public boolean hasNext() {
        return emitted < length;
    }

    @Override
    public LabelledEvent next() {
        emitted++;
        return new LabelledEvent(generator.nextInstance().getData());
    }

    @Override
    public String name() {
        return "agrawal";
    }
}
