package io.vigie.bench;

import java.util.Locale;

/**
 * Draws a risk–coverage curve as a small standalone SVG: share of events answered on x, accuracy
 * on the answered events on y, one labelled point per target coverage, and the accuracy of
 * answering everything as a dashed line.
 */
final class RiskCoverageSvg {
    private static final int WIDTH = 560;
    private static final int HEIGHT = 360;
    private static final int LEFT = 60;
    private static final int RIGHT = 20;
    private static final int TOP = 30;
    private static final int BOTTOM = 50;

    private RiskCoverageSvg() {
    }

    /**
     * @param title     the chart title
     * @param targets   target coverage of each point
     * @param answered  share of events answered at each point, in [0, 1]
     * @param selective accuracy on the answered events at each point, in [0, 1]
     * @param overall   accuracy when answering every event
     */
    static String draw(String title, double[] targets, double[] answered, double[] selective, double overall) {
        // axes on round numbers: accuracy in steps of 2 points, share answered in steps of 10
        double yMin = Math.floor(Math.min(overall, min(selective)) * 50) / 50;
        double yMax = Math.min(1.0, Math.ceil(max(selective) * 50) / 50);
        double xMin = Math.floor(min(answered) * 10) / 10;
        int yTicks = (int) Math.round((yMax - yMin) * 50);
        int xTicks = (int) Math.round((1 - xMin) * 10);
        StringBuilder svg = new StringBuilder();
        svg.append(String.format(Locale.ROOT, "<svg xmlns=\"http://www.w3.org/2000/svg\" width=\"%d\" height=\"%d\" "
                + "font-family=\"sans-serif\" font-size=\"12\">%n", WIDTH, HEIGHT));
        svg.append(String.format(Locale.ROOT, "<rect width=\"%d\" height=\"%d\" fill=\"white\"/>%n", WIDTH, HEIGHT));
        svg.append(String.format(Locale.ROOT, "<text x=\"%d\" y=\"18\" font-size=\"14\">%s</text>%n", LEFT, title));
        int x0 = LEFT;
        int y0 = HEIGHT - BOTTOM;
        int x1 = WIDTH - RIGHT;
        svg.append(String.format(Locale.ROOT, "<path d=\"M%d %d V%d H%d\" stroke=\"black\" fill=\"none\"/>%n", x0, TOP, y0, x1));
        for (int i = 0; i <= xTicks; i++) {
            double xv = xMin + 0.1 * i;
            svg.append(String.format(Locale.ROOT, "<text x=\"%.1f\" y=\"%d\" text-anchor=\"middle\">%.0f%%</text>%n",
                    x(xv, xMin), y0 + 18, 100 * xv));
        }
        for (int i = 0; i <= yTicks; i++) {
            double yv = yMin + 0.02 * i;
            svg.append(String.format(Locale.ROOT, "<text x=\"%d\" y=\"%.1f\" text-anchor=\"end\">%.0f%%</text>%n",
                    x0 - 6, y(yv, yMin, yMax) + 4, 100 * yv));
        }
        svg.append(String.format(Locale.ROOT, "<text x=\"%d\" y=\"%d\" text-anchor=\"middle\">events answered</text>%n",
                (x0 + x1) / 2, HEIGHT - 12));
        svg.append(String.format(Locale.ROOT, "<text x=\"14\" y=\"%d\" transform=\"rotate(-90 14 %d)\" text-anchor=\"middle\">"
                + "accuracy when answering</text>%n", (TOP + y0) / 2, (TOP + y0) / 2));
        double yo = y(overall, yMin, yMax);
        svg.append(String.format(Locale.ROOT, "<line x1=\"%d\" y1=\"%.1f\" x2=\"%d\" y2=\"%.1f\" stroke=\"gray\" stroke-dasharray=\"5 4\"/>%n",
                x0, yo, x1, yo));
        svg.append(String.format(Locale.ROOT, "<text x=\"%d\" y=\"%.1f\" fill=\"gray\">answering all: %.2f%%</text>%n",
                x0 + 8, yo - 6, 100 * overall));
        StringBuilder path = new StringBuilder();
        Integer[] order = sortedByAnswered(answered);
        for (int k = 0; k < order.length; k++) {
            int i = order[k];
            path.append(k == 0 ? "M" : " L").append(String.format(Locale.ROOT, "%.1f %.1f", x(answered[i], xMin), y(selective[i], yMin, yMax)));
        }
        svg.append("<path d=\"").append(path).append("\" stroke=\"#1f5fa8\" stroke-width=\"2\" fill=\"none\"/>\n");
        for (int i = 0; i < targets.length; i++) {
            double px = x(answered[i], xMin);
            double py = y(selective[i], yMin, yMax);
            svg.append(String.format(Locale.ROOT, "<circle cx=\"%.1f\" cy=\"%.1f\" r=\"4\" fill=\"#1f5fa8\"/>%n", px, py));
            svg.append(String.format(Locale.ROOT, "<text x=\"%.1f\" y=\"%.1f\" font-size=\"11\">%.2f</text>%n", px + 6, py - 6, targets[i]));
        }
        return svg.append("</svg>\n").toString();
    }

    private static double x(double value, double min) {
        return LEFT + (value - min) / (1 - min) * (WIDTH - LEFT - RIGHT);
    }

    private static double y(double value, double min, double max) {
        return HEIGHT - BOTTOM - (value - min) / (max - min) * (HEIGHT - BOTTOM - TOP);
    }

    private static Integer[] sortedByAnswered(double[] answered) {
        Integer[] order = new Integer[answered.length];
        for (int i = 0; i < order.length; i++) {
            order[i] = i;
        }
        java.util.Arrays.sort(order, (a, b) -> Double.compare(answered[a], answered[b]));
        return order;
    }

    private static double min(double[] values) {
        return java.util.Arrays.stream(values).min().orElse(0);
    }

    private static double max(double[] values) {
        return java.util.Arrays.stream(values).max().orElse(1);
    }
}
