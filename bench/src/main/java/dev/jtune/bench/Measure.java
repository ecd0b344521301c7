package dev.jtune.bench;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Arrays;

/** What the timed harnesses share: the median of their runs and the process's peak resident memory. */
public final class Measure {

    private static final Path STATUS = Path.of("/proc/self/status");

    private Measure() {}

    /** The median of {@code v} (the upper one for an even count). */
    public static double median(double[] v) {
        double[] s = v.clone();
        Arrays.sort(s);
        return s[s.length / 2];
    }

    /** The peak resident set size of this process so far (Linux {@code VmHWM}), in GiB; NaN elsewhere. */
    public static double peakRssGiB() {
        try {
            for (String line : Files.readAllLines(STATUS)) {
                if (line.startsWith("VmHWM:")) return Long.parseLong(line.replaceAll("\\D", "")) / 1024.0 / 1024.0;
            }
        } catch (IOException e) {
            return Double.NaN;
        }
        return Double.NaN;
    }

    /**
     * Restarts the peak-RSS count at the current RSS (Linux: {@code 5 > /proc/self/clear_refs}), so that a later
     * {@link #peakRssGiB} covers only what ran in between; does nothing where that file cannot be written.
     */
    public static void resetPeakRss() {
        try {
            Files.writeString(Path.of("/proc/self/clear_refs"), "5");
        } catch (IOException | UnsupportedOperationException e) {
            // not Linux, or not allowed: the peak then covers the whole run
        }
    }
}
