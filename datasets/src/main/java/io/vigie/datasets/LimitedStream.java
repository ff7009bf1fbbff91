package io.vigie.datasets;

import io.vigie.learner.EventStream;
import io.vigie.learner.LabelledEvent;
import io.vigie.learner.Schema;

/** The first {@code limit} events of another stream. */
final class LimitedStream implements EventStream {
    private final EventStream source;
    private final long limit;
    private long taken;

    LimitedStream(EventStream source, long limit) {
        this.source = source;
        this.limit = limit;
    }

    @Override
    public Schema schema() {
        return source.schema();
    }

    @Override
    public boolean hasNext() {
        return taken < limit && source.hasNext();
    }

    @Override
    public LabelledEvent next() {
        taken++;
        return source.next();
    }

    @Override
    public String name() {
        return source.name();
    }

    @Override
    public double progress() {
        double own = (double) taken / limit;
        return Math.max(own, source.progress());
    }

    @Override
    public void close() {
        source.close();
    }
}
