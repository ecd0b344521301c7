package dev.jtune.train;

import java.io.PrintStream;
import java.util.function.LongSupplier;

/**
 * Where a progress line goes. On a terminal it is redrawn in place (a carriage return, at most 5 times a second, as
 * tqdm does); anywhere else (CI, a log file) it is printed as a new line at most every 5 seconds, so a log holds a
 * readable history instead of a stream of carriage returns. The last state is always printed.
 */
public final class ProgressPrinter {

    private static final long TERMINAL_INTERVAL = 200_000_000L, LOG_INTERVAL = 5_000_000_000L;

    private final PrintStream out;
    private final boolean terminal;
    private final LongSupplier clock;
    private long lastPrint = Long.MIN_VALUE;
    private boolean pending;

    /**
     * @param terminal redraw in place rather than print lines
     * @param clock    nanoseconds, {@link System#nanoTime} outside tests
     */
    public ProgressPrinter(PrintStream out, boolean terminal, LongSupplier clock) {
        this.out = out;
        this.terminal = terminal;
        this.clock = clock;
    }

    /** Standard error, redrawn in place when the JVM runs in a terminal. */
    public static ProgressPrinter stderr() {
        return new ProgressPrinter(System.err, System.console() != null && System.console().isTerminal(), System::nanoTime);
    }

    /** Shows {@code line} if enough time has passed since the last one was shown, or when {@code last}. */
    public void update(String line, boolean last) {
        long now = clock.getAsLong();
        if (!last && lastPrint != Long.MIN_VALUE && now - lastPrint < (terminal ? TERMINAL_INTERVAL : LOG_INTERVAL)) {
            return;
        }
        lastPrint = now;
        if (terminal) {
            out.print("\r" + line);
            pending = true;
        } else {
            out.println(line);
        }
        out.flush();
    }

    /** Ends a line redrawn in place, so that later output starts on a line of its own. */
    public void finish() {
        if (pending) out.println();
        pending = false;
    }
}
