package io.vigie.datasets;

import com.yahoo.labs.samoa.instances.ArffLoader;
import com.yahoo.labs.samoa.instances.Instance;
import com.yahoo.labs.samoa.instances.Instances;
import com.yahoo.labs.samoa.instances.InstancesHeader;
import io.vigie.learner.LabelledEvent;
import io.vigie.learner.Schema;
import io.vigie.learner.SchemaException;

import java.io.Reader;
import java.nio.file.Path;
import java.util.logging.Level;
import java.util.logging.Logger;

/**
 * An ARFF file, plain or {@code .gz}, read with MOA's own ARFF loader exactly as MOA's
 * {@code ArffFileStream} reads it, so both see identical instances. Nominal values keep their
 * declaration order. The class is the named attribute, or the last one.
 */
final class ArffStream extends FileStream {
    private final FailureRecordingReader reader;
    private final Loader instances;
    /** One header for every instance read, as MOA's own would be (a copy of the file's, with the class set). */
    private final InstancesHeader header;
    private final Schema schema;
    private long events;

    /**
     * MOA's instances of the file, whose loader reads each instance as MOA's {@code ArffFileStream}
     * does. MOA's {@link Instances#readInstance} then gives every instance a header of its own, a
     * copy of the file's with a map of attribute names built anew (a sixteenth of an evaluation's
     * time); the loader is protected, so here every instance shares one header instead.
     */
    private static final class Loader extends Instances {
        Loader(Reader reader) {
            super(reader, 1, -1);
        }

        /** The next instance, without a header; null at the end or on an error (the reader records which). */
        Instance next() {
            return arff.readInstance();
        }
    }

    /**
     * MOA's loader logs read errors at SEVERE and carries on; this stream reports them itself.
     * Held in a field because the JDK keeps loggers only weakly, which would drop the level.
     */
    private static final Logger MOA_ARFF_LOG = Logger.getLogger(ArffLoader.class.getName());

    static {
        MOA_ARFF_LOG.setLevel(Level.OFF);
    }

    ArffStream(Path file, String classColumn) {
        super(file);
        this.reader = new FailureRecordingReader(opened.reader());
        try {
            this.instances = new Loader(reader);
        } catch (RuntimeException e) {
            close();
            throw new DataException(file + ": not a readable ARFF header (" + e.getMessage() + ")", e);
        }
        if (reader.failure() != null) {
            close();
            throw new DataException(file + ": unreadable (" + reader.failure().getMessage() + ")", reader.failure());
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
        this.header = new InstancesHeader(instances);
        try {
            this.schema = Schema.fromHeader(header);
        } catch (SchemaException e) {
            close();
            throw new DataException(file + ": not an ARFF file with a nominal class (" + e.getMessage() + ")", e);
        }
    }

    @Override
    protected LabelledEvent read() {
        try {
            Instance instance = instances.next();
            if (instance != null) {
                instance.setDataset(header); // an InstancesHeader is shared, not copied
                LabelledEvent event = new LabelledEvent(instance);
                if (event.instance().classIsMissing()) {
                    throw new DataException(file + ": an instance has no class value (instance " + (events + 1) + ")");
                }
                events++;
                return event;
            }
            if (reader.failure() != null) {
                throw new DataException(file + ": truncated or unreadable after instance " + events + " ("
                        + reader.failure().getMessage() + ")", reader.failure());
            }
            return null;
        } catch (RuntimeException e) {
            if (e instanceof DataException) {
                close();
                throw e;
            }
            close();
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
}
