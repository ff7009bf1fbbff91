package io.vigie.datasets;

import io.vigie.learner.EventStream;
import io.vigie.learner.Schema;

import java.nio.file.Path;
import java.time.Duration;
import java.util.Set;

/**
 * Opens a labelled stream from a source string: a file ({@code .arff}, {@code .csv}, either
 * optionally {@code .gz}) or {@code generator:<MOA stream spec>}.
 */
public final class Streams {
    /** The prefix of generator sources. */
    public static final String GENERATOR = "generator:";

    private Streams() {
    }

    /**
     * Opens a source.
     *
     * @param source      a file path or {@code generator:SPEC}
     * @param classColumn the class column or attribute, or null for the last one
     * @param timeColumn  a CSV column of event times, or null
     * @param drop        CSV columns to leave out
     * @param limit       the most events to read, or -1 for all (required for generators)
     * @throws DataException when the source cannot be opened as asked
     */
    public static EventStream open(String source, String classColumn, String timeColumn, Set<String> drop, long limit) {
        EventStream stream;
        if (source.startsWith(GENERATOR)) {
            if (limit < 0) {
                throw new DataException(source + ": generators are endless; bound them with --limit N");
            }
            if (classColumn != null || timeColumn != null || !drop.isEmpty()) {
                throw new DataException(source + ": --class, --time and --drop apply to files only");
            }
            stream = new GeneratorStream(source.substring(GENERATOR.length()));
        } else {
            Path file = Path.of(source);
            String name = file.getFileName().toString().toLowerCase();
            String base = name.endsWith(".gz") ? name.substring(0, name.length() - 3) : name;
            if (base.endsWith(".arff")) {
                if (timeColumn != null || !drop.isEmpty()) {
                    throw new DataException(source + ": --time and --drop apply to CSV files only");
                }
                stream = new ArffStream(file, classColumn);
            } else if (base.endsWith(".csv")) {
                stream = new CsvStream(file, new CsvOptions(classColumn, timeColumn, drop));
            } else {
                throw new DataException(source + ": unknown format; expected .arff, .csv (optionally .gz) or generator:SPEC");
            }
        }
        return limit >= 0 ? new LimitedStream(stream, limit) : stream;
    }

    /**
     * The Fraud-Detection Handbook's transaction stream ({@code fraud_handbook.csv.gz}) with its
     * online customer and terminal features; terminal fraud rates use only labels older than
     * {@code feedbackDelay}.
     */
    public static EventStream fraud(String source, Duration feedbackDelay, long limit) {
        EventStream stream = new FraudHandbookStream(Path.of(source), feedbackDelay);
        return limit >= 0 ? new LimitedStream(stream, limit) : stream;
    }

    /** The same events, expressed in another schema by feature and class names. */
    public static EventStream mapTo(EventStream stream, Schema schema) {
        return stream.schema().equals(schema) ? stream : new SchemaMappedStream(stream, schema);
    }
}
