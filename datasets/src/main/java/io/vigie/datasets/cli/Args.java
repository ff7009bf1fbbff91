package io.vigie.datasets.cli;

import java.util.HashMap;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;

/** Command-line options of the form {@code --name value} and {@code --flag}, checked against known names. */
final class Args {
    private final Map<String, String> values = new HashMap<>();
    private final Set<String> flags = new HashSet<>();

    /** A command-line mistake: printed with the usage line, exit status 2. */
    static final class UsageException extends RuntimeException {
        UsageException(String message) {
            super(message);
        }
    }

    Args(String[] args, List<String> valued, List<String> flagNames) {
        for (int i = 0; i < args.length; i++) {
            String arg = args[i];
            if (!arg.startsWith("--")) {
                throw new UsageException("unexpected argument '" + arg + "'");
            }
            String name = arg.substring(2);
            int eq = name.indexOf('=');
            if (eq > 0) {
                put(name.substring(0, eq), name.substring(eq + 1), valued);
            } else if (flagNames.contains(name)) {
                flags.add(name);
            } else if (valued.contains(name)) {
                if (i + 1 >= args.length) {
                    throw new UsageException("--" + name + " needs a value");
                }
                put(name, args[++i], valued);
            } else {
                throw new UsageException("unknown option --" + name);
            }
        }
    }

    private void put(String name, String value, List<String> valued) {
        if (!valued.contains(name)) {
            throw new UsageException("unknown option --" + name);
        }
        if (values.put(name, value) != null) {
            throw new UsageException("--" + name + " is given twice");
        }
    }

    String get(String name, String fallback) {
        return values.getOrDefault(name, fallback);
    }

    String require(String name) {
        String value = values.get(name);
        if (value == null) {
            throw new UsageException("--" + name + " is required");
        }
        return value;
    }

    long getLong(String name, long fallback) {
        String value = values.get(name);
        if (value == null) {
            return fallback;
        }
        try {
            return Long.parseLong(value.strip());
        } catch (NumberFormatException e) {
            throw new UsageException("--" + name + " must be a whole number, got '" + value + "'");
        }
    }

    double getDouble(String name, double fallback) {
        String value = values.get(name);
        if (value == null) {
            return fallback;
        }
        try {
            return Double.parseDouble(value.strip());
        } catch (NumberFormatException e) {
            throw new UsageException("--" + name + " must be a number, got '" + value + "'");
        }
    }

    boolean flag(String name) {
        return flags.contains(name);
    }
}
