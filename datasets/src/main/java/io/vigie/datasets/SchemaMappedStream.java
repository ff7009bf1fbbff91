package io.vigie.datasets;

import com.yahoo.labs.samoa.instances.Attribute;
import com.yahoo.labs.samoa.instances.Instance;
import io.vigie.learner.EventStream;
import io.vigie.learner.Feature;
import io.vigie.learner.LabelledEvent;
import io.vigie.learner.Schema;
import io.vigie.learner.SchemaException;

import java.util.HashMap;
import java.util.Map;

/**
 * Another stream's events re-expressed in a given schema, matching features and classes by name,
 * so that a saved model can be evaluated on a file read afresh. A feature the target lacks is
 * ignored only if the model does not know it; an unknown nominal value or class, or a numeric
 * column where the schema wants a nominal one, fails with the field named.
 */
final class SchemaMappedStream implements EventStream {
    private final EventStream source;
    private final Schema target;

    SchemaMappedStream(EventStream source, Schema target) {
        this.source = source;
        this.target = target;
        Schema from = source.schema();
        if (!from.className().equals(target.className())) {
            throw new SchemaException(target.className(), "the stream's class column is '" + from.className() + "'");
        }
        for (Feature wanted : target.features()) {
            if (from.features().stream().noneMatch(f -> f.name().equals(wanted.name())) && !wanted.optional()) {
                throw new SchemaException(wanted.name(), "the model needs this feature; the stream has none");
            }
        }
    }

    @Override
    public Schema schema() {
        return target;
    }

    @Override
    public boolean hasNext() {
        return source.hasNext();
    }

    @Override
    public LabelledEvent next() {
        LabelledEvent event = source.next();
        Instance in = event.instance();
        Map<String, Object> values = new HashMap<>();
        for (int a = 0; a < in.numAttributes(); a++) {
            if (a == in.classIndex()) {
                continue;
            }
            Attribute attribute = in.attribute(a);
            if (target.features().stream().noneMatch(f -> f.name().equals(attribute.name()))) {
                continue;
            }
            double v = in.value(a);
            values.put(attribute.name(), Double.isNaN(v) ? null : attribute.isNominal() ? attribute.value((int) v) : (Object) v);
        }
        Instance mapped = target.toInstance(values);
        String label = in.classAttribute().value((int) in.classValue());
        return new LabelledEvent(target.withLabel(mapped, target.classIndexOf(label)), event.timeMillis());
    }

    @Override
    public String name() {
        return source.name();
    }

    @Override
    public double progress() {
        return source.progress();
    }

    @Override
    public void close() {
        source.close();
    }
}
