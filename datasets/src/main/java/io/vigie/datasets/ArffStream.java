package io.vigie.datasets;

import com.yahoo.labs.samoa.instances.Instances;
import com.yahoo.labs.samoa.instances.InstancesHeader;
import io.vigie.learner.EventStream;
import io.vigie.learner.LabelledEvent;
import io.vigie.learner.Schema;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Path;

/**
 * An ARFF file, plain or {@code .gz}, read with MOA's own ARFF loader exactly as MOA's
 * {@code ArffFileStream} reads it, so both see identical instances. Nominal values keep their
 * declaration order. The class is the named attribute, or the last one.
 */
final class ArffStream implements EventStream {
    private final Path file;
    private final DataFiles.Opened opened;
    private final Instances instances;
    private final Schema schema;
    private LabelledEvent next;
    private long events;

    ArffStream(Path file, String classColumn) {
        this.file = file;
        this.opened = DataFiles.open(file);
        try {
            this.instances = new Instances(opened.reader(), 1, -1);
        } catch (RuntimeException e) {
            close();
            throw new DataException(file + ": not a readable ARFF header (" + e.getMessage() + ")", e);
        }
        int classIndex = instances.numAttributes() - 1;
        if (classColumn != null) {
            classIndex = -1;
            for (int a = 0; a < instances.numAttributes(); a++) {
                if (instances.attribute(a).name().equals(classColumn)) {
                    classIndex = a;
                }
            }
            if (classIndex < 0) {
                close();
                throw new DataException(file + ": no attribute named '" + classColumn + "' for the class");
            }
        }
        instances.setClassIndex(classIndex);
        this.schema = Schema.fromHeader(new InstancesHeader(instances));
        advance();
    }

    private void advance() {
        try {
            if (instances.readInstance(opened.reader())) {
                next = new LabelledEvent(instances.instance(0));
                instances.delete();
                if (next.instance().classIsMissing()) {
                    throw new DataException(file + ": an instance has no class value (instance " + (events + 1) + ")");
                }
                events++;
            } else {
                next = null;
                close();
            }
        } catch (RuntimeException e) {
            if (e instanceof DataException) {
                throw e;
            }
            throw new DataException(file + ": cannot read instance " + (events + 1) + " (" + rootMessage(e) + ")", e);
        }
    }

    private static String rootMessage(Throwable e) {
        Throwable root = e;
        while (root.getCause() != null && root.getCause() != root) {
            root = root.getCause();
        }
        return root.getMessage() == null ? root.toString() : root.getMessage();
    }

    @Override
    public Schema schema() {
        return schema;
    }

    @Override
    public boolean hasNext() {
        return next != null;
    }

    @Override
    public LabelledEvent next() {
        LabelledEvent current = next;
        advance();
        return current;
    }

    @Override
    public String name() {
        return file.getFileName().toString();
    }

    @Override
    public double progress() {
        return opened.progress();
    }

    @Override
    public void close() {
        try {
            opened.reader().close();
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }
}
