package io.vigie.learner;

import com.yahoo.labs.samoa.instances.Instance;
import moa.streams.ConceptDriftStream;

/** Seeded MOA streams with a known drift point, for tests. */
final class DriftStreams {
    private DriftStreams() {
    }

    /** Agrawal function {@code before}, then abruptly {@code after} from event {@code at} on. */
    static EventStream agrawal(int before, int after, int at, long length) {
        ConceptDriftStream stream = new ConceptDriftStream();
        stream.streamOption.setValueViaCLIString("generators.AgrawalGenerator -f " + before + " -i 3");
        stream.driftstreamOption.setValueViaCLIString("generators.AgrawalGenerator -f " + after + " -i 3");
        stream.positionOption.setValue(at);
        stream.widthOption.setValue(1);
        stream.prepareForUse();
        Schema schema = Schema.fromHeader(stream.getHeader());
        return new EventStream() {
            long left = length;

            @Override public Schema schema() { return schema; }
            @Override public boolean hasNext() { return left > 0; }
            @Override public LabelledEvent next() { left--; return new LabelledEvent((Instance) stream.nextInstance().getData()); }
            @Override public String name() { return "agrawal " + before + "->" + after; }
        };
    }

    /**
     * A virtual drift: Agrawal function {@code function} throughout (same concept), but from event
     * {@code at} on only the applicants earning 100,000 or more are drawn, so the salary and
     * commission distributions change while the label given the features does not.
     */
    static EventStream agrawalSalaryShift(int function, int at, long length) {
        moa.streams.generators.AgrawalGenerator generator = new moa.streams.generators.AgrawalGenerator();
        generator.functionOption.setValue(function);
        generator.instanceRandomSeedOption.setValue(3);
        generator.prepareForUse();
        Schema schema = Schema.fromHeader(generator.getHeader());
        return new EventStream() {
            long emitted;

            @Override public Schema schema() { return schema; }
            @Override public boolean hasNext() { return emitted < length; }
            @Override public LabelledEvent next() {
                Instance instance = (Instance) generator.nextInstance().getData();
                while (emitted >= at && instance.value(0) < 100_000) { // attribute 0 is the salary
                    instance = (Instance) generator.nextInstance().getData();
                }
                emitted++;
                return new LabelledEvent(instance);
            }
            @Override public String name() { return "agrawal " + function + " with a salary shift"; }
        };
    }
}
