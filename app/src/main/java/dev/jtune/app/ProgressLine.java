package dev.jtune.app;

import dev.jtune.train.ProgressPrinter;
import java.util.Locale;

/** A one-line progress report on stderr for long app steps: count, rate and ETA, shown by a {@link ProgressPrinter}. */
final class ProgressLine {

    private final String label;
    private final long total;
    private final String unit;
    private final long start = System.nanoTime();
    private final ProgressPrinter printer = ProgressPrinter.stderr();

    ProgressLine(String label, long total, String unit) {
        this.label = label;
        this.total = total;
        this.unit = unit;
    }

    void update(long done) {
        double seconds = (System.nanoTime() - start) / 1e9, rate = done / Math.max(seconds, 1e-9);
        double eta = rate > 0 ? (total - done) / rate : 0;
        printer.update(String.format(Locale.ROOT, "%s: %d/%d %s [%.1fs, %.1f %s/s, ETA %.0fs]", label, done, total,
                unit, seconds, rate, unit, eta), done >= total);
    }

    void finish() {
        printer.finish();
    }
}
