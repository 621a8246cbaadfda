package io.tally.pipeline.cli;

import java.io.PrintStream;

/** A one-line progress bar on stderr, redrawn at most ten times a second. */
final class ProgressBar {
    private static final int WIDTH = 30;
    private final PrintStream out;
    private final String label;
    private final long total;
    private final long startNanos = System.nanoTime();
    private long lastDraw;

    ProgressBar(PrintStream out, String label, long total) {
        this.out = out;
        this.label = label;
        this.total = total;
    }

    void update(long done) {
        long now = System.nanoTime();
        if ((total < 0 || done < total) && lastDraw != 0 && now - lastDraw < 100_000_000L) {
            return;
        }
        lastDraw = now;
        if (total < 0) {
            // Unknown total (standard input): a count and a rate, no bar.
            double seconds = Math.max(1e-3, (now - startNanos) / 1e9);
            out.printf("\r%s %d (%.0f/s)", label, done, done / seconds);
            out.flush();
            return;
        }
        double fraction = total <= 0 ? 1.0 : Math.min(1.0, done / (double) total);
        int filled = (int) Math.round(fraction * WIDTH);
        double seconds = Math.max(1e-3, (now - startNanos) / 1e9);
        out.printf(
                "\r%s [%s%s] %d/%d (%.0f/s)",
                label, "#".repeat(filled), ".".repeat(WIDTH - filled), done, total, done / seconds);
        out.flush();
    }

    void finish(long done) {
        lastDraw = 0;
        update(done);
        out.println();
    }
}
