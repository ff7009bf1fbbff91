package io.vigie.datasets;

import java.util.Set;

/**
 * How to read a CSV file as a labelled stream.
 *
 * @param classColumn the class column, or null for the last column
 * @param timeColumn  a column of event times (ISO-8601 date-times, read as UTC), or null
 * @param drop        columns to leave out of the features
 */
public record CsvOptions(String classColumn, String timeColumn, Set<String> drop) {
    public CsvOptions {
        drop = Set.copyOf(drop);
    }

    public static CsvOptions defaults() {
        return new CsvOptions(null, null, Set.of());
    }
}
