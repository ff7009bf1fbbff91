package io.vigie.bench;

import java.util.Arrays;
import java.util.List;
import java.util.Locale;

/** A small standalone SVG line chart: one x axis, one y axis from zero, a line per series with its legend. */
final class LinePlotSvg {
    private static final int WIDTH = 640;
    private static final int HEIGHT = 320;
    private static final int LEFT = 60;
    private static final int RIGHT = 30; // room for half the last x label
    private static final int TOP = 40;
    private static final int BOTTOM = 45;

    /** A named line in a colour; {@code x[i]}, {@code y[i]} are its points. */
    record Series(String name, String colour, double[] x, double[] y) {
    }

    private LinePlotSvg() {
    }

    /** A chart whose y axis runs from zero to a little above the highest point. */
    static String draw(String title, String xLabel, String yLabel, List<Series> series) {
        double yMax = series.stream().flatMapToDouble(s -> Arrays.stream(s.y())).max().orElse(1) * 1.1;
        return draw(title, xLabel, yLabel, series, 0, yMax);
    }

    /** A chart whose y axis runs from {@code yMin} to {@code yMax}; points outside are clipped to the edges. */
    static String draw(String title, String xLabel, String yLabel, List<Series> series, double yMin, double yMax) {
        double xMax = series.stream().flatMapToDouble(s -> Arrays.stream(s.x())).max().orElse(1);
        double yStep = niceStep((yMax - yMin) / 5);
        double xStep = niceStep(xMax / 6);
        int plotWidth = WIDTH - LEFT - RIGHT;
        int plotHeight = HEIGHT - TOP - BOTTOM;
        StringBuilder svg = new StringBuilder();
        svg.append(String.format(Locale.ROOT, "<svg xmlns=\"http://www.w3.org/2000/svg\" width=\"%d\" height=\"%d\" "
                + "font-family=\"sans-serif\" font-size=\"12\">%n", WIDTH, HEIGHT));
        svg.append(String.format(Locale.ROOT, "<rect width=\"%d\" height=\"%d\" fill=\"white\"/>%n", WIDTH, HEIGHT));
        svg.append(String.format(Locale.ROOT, "<text x=\"%d\" y=\"18\" font-size=\"14\">%s</text>%n", LEFT, title));
        for (double y = Math.ceil(yMin / yStep) * yStep; y <= yMax + 1e-9; y += yStep) {
            double py = TOP + plotHeight * (1 - (y - yMin) / (yMax - yMin));
            svg.append(String.format(Locale.ROOT, "<line x1=\"%d\" x2=\"%d\" y1=\"%.1f\" y2=\"%.1f\" stroke=\"#e3e7ec\"/>"
                    + "<text x=\"%d\" y=\"%.1f\" text-anchor=\"end\">%s</text>%n", LEFT, WIDTH - RIGHT, py, py, LEFT - 6, py + 4, label(y)));
        }
        for (double x = 0; x <= xMax; x += xStep) {
            double px = LEFT + plotWidth * x / xMax;
            svg.append(String.format(Locale.ROOT, "<text x=\"%.1f\" y=\"%d\" text-anchor=\"middle\">%s</text>%n", px,
                    HEIGHT - BOTTOM + 16, label(x)));
        }
        svg.append(String.format(Locale.ROOT, "<text x=\"%d\" y=\"%d\" text-anchor=\"middle\">%s</text>%n", LEFT + plotWidth / 2,
                HEIGHT - 8, xLabel));
        svg.append(String.format(Locale.ROOT, "<text x=\"14\" y=\"%d\" transform=\"rotate(-90 14 %d)\" text-anchor=\"middle\">%s</text>%n",
                TOP + plotHeight / 2, TOP + plotHeight / 2, yLabel));
        int legendX = LEFT;
        for (Series s : series) {
            StringBuilder path = new StringBuilder();
            for (int i = 0; i < s.x().length; i++) {
                path.append(i == 0 ? "M" : "L").append(String.format(Locale.ROOT, "%.1f,%.1f", LEFT + plotWidth * s.x()[i] / xMax,
                        TOP + plotHeight * (1 - (Math.min(yMax, Math.max(yMin, s.y()[i])) - yMin) / (yMax - yMin))));
            }
            svg.append(String.format(Locale.ROOT, "<path d=\"%s\" fill=\"none\" stroke=\"%s\" stroke-width=\"1.8\"/>%n", path, s.colour()));
            svg.append(String.format(Locale.ROOT, "<text x=\"%d\" y=\"32\" fill=\"%s\">— %s</text>%n", legendX, s.colour(), s.name()));
            legendX += 28 + 7 * s.name().length();
        }
        return svg.append("</svg>\n").toString();
    }

    /** 1, 2 or 5 times a power of ten, at least {@code raw}. */
    private static double niceStep(double raw) {
        double power = Math.pow(10, Math.floor(Math.log10(Math.max(raw, 1e-9))));
        for (double m : new double[]{1, 2, 5, 10}) {
            if (m * power >= raw) {
                return m * power;
            }
        }
        return 10 * power;
    }

    private static String label(double v) {
        return v == Math.rint(v) ? String.format(Locale.ROOT, "%,d", (long) v)
                : java.math.BigDecimal.valueOf(v).round(new java.math.MathContext(4)).stripTrailingZeros().toPlainString();
    }
}
