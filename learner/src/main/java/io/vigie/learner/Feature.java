package io.vigie.learner;

import java.io.Serializable;
import java.util.List;

/**
 * One input of a schema: a named numeric value, or a nominal value from a fixed list.
 *
 * @param name     the feature name, unique in its schema
 * @param kind     numeric or nominal
 * @param values   the allowed values of a nominal feature, in order (empty for numeric)
 * @param optional whether a missing or unknown value becomes MOA's missing value instead of
 *                 an error
 */
public record Feature(String name, Kind kind, List<String> values, boolean optional) implements Serializable {

    /** The two kinds of feature MOA's trees understand. */
    public enum Kind { NUMERIC, NOMINAL }

    public Feature {
        values = List.copyOf(values);
    }

    public static Feature numeric(String name) {
        return new Feature(name, Kind.NUMERIC, List.of(), false);
    }

    public static Feature nominal(String name, List<String> values) {
        return new Feature(name, Kind.NOMINAL, values, false);
    }

    /** The same feature, but a missing or unknown value becomes MOA's missing value. */
    public Feature asOptional() {
        return new Feature(name, kind, values, true);
    }

    public boolean isNominal() {
        return kind == Kind.NOMINAL;
    }
}
