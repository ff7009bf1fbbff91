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
}
