package io.vigie.datasets.cli;

import io.vigie.learner.eval.PrequentialEvaluation;

import java.io.PrintStream;
import java.util.Locale;

/** A one-line progress bar on a terminal, redrawn at most five times a second. */
final class ProgressBar implements PrequentialEvaluation.Progress {
    private static final int WIDTH = 30;
    private final PrintStream out;
    private final long startNanos = System.nanoTime();
    private long lastDraw;

    ProgressBar(PrintStream out) {
        this.out = out;
    }

    @Override
    public void update(long events, double fraction) {
        long now = System.nanoTime();
        boolean done = fraction >= 1.0;
        if (!done && now - lastDraw < 200_000_000L) {
            return;
        }
        lastDraw = now;
        double seconds = (now - startNanos) / 1e9;
        String rate = String.format(Locale.ROOT, "%,.0f events/s", seconds > 0 ? events / seconds : 0);
        String bar;
        if (fraction >= 0) {
            int filled = (int) Math.round(fraction * WIDTH);
            bar = "[" + "#".repeat(filled) + "-".repeat(WIDTH - filled) + "] " + String.format(Locale.ROOT, "%3.0f%%", fraction * 100);
        } else {
            bar = "[" + "?".repeat(WIDTH) + "]";
        }
        out.print(String.format(Locale.ROOT, "\r%s %,d events, %s  ", bar, events, rate));
        if (done) {
            out.print("\r" + " ".repeat(WIDTH + 60) + "\r");
        }
        out.flush();
    }
}
