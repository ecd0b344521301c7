package dev.jtune.app;

import java.util.Locale;

/** A one-line progress report on stderr for long app steps: count, rate and ETA, redrawn at most 5 times a second. */
final class ProgressLine {

    private final String label;
    private final long total;
    private final String unit;
    private final long start = System.nanoTime();
    private long lastDraw;

    ProgressLine(String label, long total, String unit) {
        this.label = label;
        this.total = total;
        this.unit = unit;
    }

    void update(long done) {
        long now = System.nanoTime();
        if (now - lastDraw < 200_000_000L && done < total) return;
        lastDraw = now;
        double seconds = (now - start) / 1e9, rate = done / Math.max(seconds, 1e-9);
        double eta = rate > 0 ? (total - done) / rate : 0;
        System.err.printf(Locale.ROOT, "\r%s: %d/%d %s [%.1fs, %.1f %s/s, ETA %.0fs]   ", label, done, total, unit,
                seconds, rate, unit, eta);
    }

    void finish() {
        update(total);
        System.err.println();
    }
}
