package io.vigie.datasets;

import com.yahoo.labs.samoa.instances.Instance;
import io.vigie.learner.EventStream;
import io.vigie.learner.LabelledEvent;
import io.vigie.learner.Schema;
import moa.options.ClassOption;
import moa.streams.ExampleStream;

/**
 * An MOA stream built from its CLI string, such as {@code generators.SEAGenerator -f 2} or a
 * {@code ConceptDriftStream}. Generators are endless; the caller bounds them. Only classes under
 * {@code moa.streams} are accepted. Every generator's randomness comes from its own seed option
 * ({@code -i}), so the same spec gives the same events.
 */
final class GeneratorStream implements EventStream {
    private static final String MOA_STREAMS = "moa.streams.";

    private final String spec;
    private final ExampleStream<?> stream;
    private final Schema schema;

    GeneratorStream(String spec) {
        this.spec = spec.strip();
        this.stream = create(this.spec);
        this.schema = Schema.fromHeader(stream.getHeader());
    }

    private static ExampleStream<?> create(String spec) {
        if (spec.isEmpty()) {
            throw new DataException("generator: needs an MOA stream spec, e.g. generator:generators.SEAGenerator");
        }
        String className = spec.split("\\s+", 2)[0];
        String qualified = className.startsWith(MOA_STREAMS) ? className : MOA_STREAMS + className;
        try {
            Class<?> type = Class.forName(qualified, false, GeneratorStream.class.getClassLoader());
            if (!ExampleStream.class.isAssignableFrom(type)) {
                throw new DataException("generator:" + spec + ": " + qualified + " is not an MOA stream");
            }
        } catch (ClassNotFoundException e) {
            throw new DataException("generator:" + spec + ": no MOA stream named " + qualified);
        }
        try {
            ExampleStream<?> stream = (ExampleStream<?>) ClassOption.cliStringToObject(
                    qualified + spec.substring(className.length()), ExampleStream.class, null);
            if (stream instanceof moa.options.OptionHandler handler) {
                handler.prepareForUse();
            }
            return stream;
        } catch (Exception e) {
            String message = e.getMessage() == null ? e.toString() : e.getMessage().strip().split("\n", 2)[0];
            throw new DataException("generator:" + spec + ": MOA rejected it (" + message + ")", e);
        }
    }

    @Override
    public Schema schema() {
        return schema;
    }

    @Override
    public boolean hasNext() {
        return stream.hasMoreInstances();
    }

    @Override
    public LabelledEvent next() {
        return new LabelledEvent((Instance) stream.nextInstance().getData());
    }

    @Override
    public String name() {
        return "generator:" + spec;
    }
}
