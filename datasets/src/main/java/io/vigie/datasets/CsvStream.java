package io.vigie.datasets;

import com.yahoo.labs.samoa.instances.DenseInstance;
import com.yahoo.labs.samoa.instances.Instance;
import io.vigie.learner.Feature;
import io.vigie.learner.LabelledEvent;
import io.vigie.learner.Schema;
import io.vigie.learner.SchemaException;

import java.io.IOException;
import java.nio.file.Path;
import java.time.LocalDate;
import java.time.LocalDateTime;
import java.time.OffsetDateTime;
import java.time.ZoneOffset;
import java.time.format.DateTimeParseException;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.Comparator;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.TreeSet;

/**
 * A CSV file, plain or {@code .gz}, as a labelled stream. The file has one header line of column
 * names, comma-separated unquoted fields, and one event per line, in time order.
 *
 * <p>The schema is inferred in a first pass over the file, by this rule:
 * <ul>
 *   <li>a feature column is <b>numeric</b> if every value parses as a number, else
 *       <b>nominal</b>;</li>
 *   <li>the class column is always nominal;</li>
 *   <li>nominal values are sorted: numerically when they all parse as numbers (so classes
 *       {@code 0}/{@code 1} are in that order), else as text (so Elec2's classes are
 *       {@code DOWN}, {@code UP});</li>
 *   <li>an empty field or {@code ?} is a missing value; a feature column holding one is optional
 *       (MOA's missing value), a missing class is an error;</li>
 *   <li>a nominal feature may have at most {@value #MAX_NOMINAL_VALUES} distinct values — above
 *       that it is an identifier or a date, to drop or to name as the time column.</li>
 * </ul>
 */
final class CsvStream extends FileStream {
    static final int MAX_NOMINAL_VALUES = 1000;

    private final Schema schema;
    private final int[] featureColumns;
    private final int classColumn;
    private final int timeColumn;
    private final int numColumns;
    private final List<Map<String, Integer>> nominalCodes = new ArrayList<>();
    private final Map<String, Integer> classCodes = new HashMap<>();
    private final int classAttribute;

    CsvStream(Path file, CsvOptions options) {
        super(file);
        Inference inference = infer(file, options);
        this.numColumns = inference.columns.size();
        this.classColumn = inference.classColumn;
        this.timeColumn = inference.timeColumn;
        this.featureColumns = inference.featureColumns;
        this.schema = inference.schema;
        for (Feature feature : schema.features()) {
            Map<String, Integer> codes = new HashMap<>();
            for (int v = 0; v < feature.values().size(); v++) {
                codes.put(feature.values().get(v), v);
            }
            nominalCodes.add(codes);
        }
        for (int c = 0; c < schema.classes().size(); c++) {
            classCodes.put(schema.classes().get(c), c);
        }
        this.classAttribute = schema.header().classIndex();
        nextLine(); // the header, checked in the first pass
    }

    /** What the first pass learns about the file. */
    private record Inference(List<String> columns, int classColumn, int timeColumn, int[] featureColumns, Schema schema) {
    }

    private static Inference infer(Path file, CsvOptions options) {
        DataFiles.Opened opened = DataFiles.open(file);
        try (var reader = opened.reader()) {
            String headerLine = reader.readLine();
            if (headerLine == null) {
                throw new DataException(file + ": empty file (a header line of column names is expected)");
            }
            List<String> columns = List.of(headerLine.split(",", -1));
            int classColumn = options.classColumn() == null ? columns.size() - 1 : indexOf(file, columns, options.classColumn(), "class");
            int timeColumn = options.timeColumn() == null ? -1 : indexOf(file, columns, options.timeColumn(), "time");
            for (String dropped : options.drop()) {
                indexOf(file, columns, dropped, "dropped");
            }
            int n = columns.size();
            boolean[] numeric = new boolean[n];
            boolean[] missing = new boolean[n];
            List<TreeSet<String>> distinct = new ArrayList<>();
            Arrays.fill(numeric, true);
            for (int c = 0; c < n; c++) {
                distinct.add(new TreeSet<>());
            }
            long line = 1;
            String text;
            while ((text = reader.readLine()) != null) {
                line++;
                String[] fields = split(file, line, text, n);
                for (int c = 0; c < n; c++) {
                    String value = fields[c];
                    if (c == timeColumn || options.drop().contains(columns.get(c))) {
                        continue;
                    }
                    if (isMissing(value)) {
                        if (c == classColumn) {
                            throw new DataException(file + " line " + line + ": the class '" + columns.get(c) + "' is missing");
                        }
                        missing[c] = true;
                        continue;
                    }
                    if (numeric[c] && !parsesAsNumber(value)) {
                        numeric[c] = false;
                    }
                    if (!numeric[c] || c == classColumn || distinct.get(c).size() <= MAX_NOMINAL_VALUES) {
                        distinct.get(c).add(value); // numeric columns stop collecting once clearly continuous
                    }
                    if (c == classColumn && distinct.get(c).size() > MAX_NOMINAL_VALUES) {
                        throw new DataException(file + ": the class column '" + columns.get(c) + "' has more than "
                                + MAX_NOMINAL_VALUES + " distinct values; name the class column with --class");
                    }
                    if (!numeric[c] && distinct.get(c).size() > MAX_NOMINAL_VALUES) {
                        throw new DataException(file + ": column '" + columns.get(c) + "' has more than " + MAX_NOMINAL_VALUES
                                + " distinct non-numeric values; drop it (--drop " + columns.get(c)
                                + ") or name it as the time column (--time " + columns.get(c) + ")");
                    }
                }
            }
            if (line == 1) {
                throw new DataException(file + ": no data rows after the header");
            }
            List<Feature> features = new ArrayList<>();
            List<Integer> featureColumns = new ArrayList<>();
            for (int c = 0; c < n; c++) {
                if (c == classColumn || c == timeColumn || options.drop().contains(columns.get(c))) {
                    continue;
                }
                Feature feature = numeric[c] ? Feature.numeric(columns.get(c))
                        : Feature.nominal(columns.get(c), sortedValues(distinct.get(c)));
                features.add(missing[c] ? feature.asOptional() : feature);
                featureColumns.add(c);
            }
            Schema schema;
            try {
                schema = Schema.of(features, columns.get(classColumn), sortedValues(distinct.get(classColumn)));
            } catch (SchemaException e) {
                throw new DataException(file + ": " + e.getMessage(), e);
            }
            return new Inference(columns, classColumn, timeColumn,
                    featureColumns.stream().mapToInt(Integer::intValue).toArray(), schema);
        } catch (IOException e) {
            throw new DataException(file + ": cannot be read (" + e.getMessage() + ")", e);
        }
    }

    private static int indexOf(Path file, List<String> columns, String name, String role) {
        int index = columns.indexOf(name);
        if (index < 0) {
            throw new DataException(file + ": no column named '" + name + "' (" + role + " column); columns: " + columns);
        }
        return index;
    }

    private static List<String> sortedValues(TreeSet<String> values) {
        List<String> sorted = new ArrayList<>(values);
        if (sorted.stream().allMatch(CsvStream::parsesAsNumber)) {
            sorted.sort(Comparator.comparingDouble(Double::parseDouble));
        }
        return sorted;
    }

    private static boolean isMissing(String value) {
        return value.isEmpty() || value.equals("?");
    }

    private static boolean parsesAsNumber(String value) {
        try {
            double d = Double.parseDouble(value);
            return !Double.isNaN(d) && !Double.isInfinite(d);
        } catch (NumberFormatException e) {
            return false;
        }
    }

    @Override
    protected LabelledEvent read() {
        String text = nextLine();
        if (text == null) {
            return null;
        }
        String[] fields = fields(text, numColumns);
        double[] row = new double[featureColumns.length + 1];
        for (int f = 0; f < featureColumns.length; f++) {
            String value = fields[featureColumns[f]];
            row[f < classAttribute ? f : f + 1] = isMissing(value) ? Double.NaN : encode(f, value);
        }
        Integer label = classCodes.get(fields[classColumn]);
        if (label == null) {
            throw new DataException(file + " line " + line + ": class '" + fields[classColumn] + "' changed since the first pass");
        }
        row[classAttribute] = label;
        Instance instance = new DenseInstance(1.0, row);
        instance.setDataset(schema.header());
        return new LabelledEvent(instance, timeColumn < 0 ? LabelledEvent.NO_TIME : parseTime(fields[timeColumn]));
    }

    private double encode(int f, String value) {
        Feature feature = schema.features().get(f);
        if (feature.isNominal()) {
            Integer code = nominalCodes.get(f).get(value);
            if (code == null) {
                throw new DataException(file + " line " + line + ": '" + feature.name() + "' value '" + value + "' changed since the first pass");
            }
            return code;
        }
        return Double.parseDouble(value);
    }

    private long parseTime(String text) {
        try {
            if (text.length() == 10) {
                return LocalDate.parse(text).atStartOfDay().toInstant(ZoneOffset.UTC).toEpochMilli();
            }
            if (text.endsWith("Z") || text.lastIndexOf('+') > 10 || text.lastIndexOf('-') > 10) {
                return OffsetDateTime.parse(text).toInstant().toEpochMilli();
            }
            return LocalDateTime.parse(text).toInstant(ZoneOffset.UTC).toEpochMilli();
        } catch (DateTimeParseException e) {
            throw new DataException(file + " line " + line + ": time '" + text
                    + "' is not an ISO-8601 date or date-time (2018-04-01T00:00:31)");
        }
    }

    @Override
    public Schema schema() {
        return schema;
    }
}
