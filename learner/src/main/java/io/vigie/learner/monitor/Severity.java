package io.vigie.learner.monitor;

/**
 * How strong a distribution shift is. A tier needs both a small p-value, corrected for the number
 * of channels tested together (Bonferroni), and a large enough effect, so that a big window does
 * not alert on a shift too small to matter:
 *
 * <table>
 *   <tr><th>tier</th><th>corrected p</th><th>numeric: KS D</th><th>nominal: PSI</th></tr>
 *   <tr><td>info</td><td>&lt; 0.05</td><td>any</td><td>any</td></tr>
 *   <tr><td>warning</td><td>&lt; 0.01</td><td>≥ 0.1</td><td>≥ 0.1</td></tr>
 *   <tr><td>alert</td><td>&lt; 0.001</td><td>≥ 0.2</td><td>≥ 0.25</td></tr>
 * </table>
 *
 * <p>The model's own outputs (score, entropy, abstentions) stop at warning: they move as the
 * model learns, even on a stationary stream.
 */
public enum Severity {
    NONE, INFO, WARNING, ALERT;

    private final String code = name().toLowerCase(java.util.Locale.ROOT);

    /** The tier of a corrected p-value and an effect (KS D or PSI, per {@code nominal}). */
    public static Severity of(double correctedP, double effect, boolean nominal) {
        double medium = 0.1;
        double large = nominal ? 0.25 : 0.2;
        if (correctedP < 0.001 && effect >= large) {
            return ALERT;
        }
        if (correctedP < 0.01 && effect >= medium) {
            return WARNING;
        }
        return correctedP < 0.05 ? INFO : NONE;
    }

    /** The lower-case name used in JSON and metrics. */
    public String code() {
        return code; // asked at every scoring: made once
    }
}
