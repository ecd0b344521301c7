package dev.jtune.train;

import static org.junit.jupiter.api.Assertions.assertEquals;

import java.io.ByteArrayOutputStream;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.util.Map;
import org.junit.jupiter.api.Test;

class ProgressCallbackTest {

    @Test
    void barShowsStepsElapsedEtaRateAndLastLoss() {
        var out = new ByteArrayOutputStream();
        ProgressCallback bar = new ProgressCallback(new ProgressPrinter(new PrintStream(out, true, StandardCharsets.UTF_8),
                true, System::nanoTime));
        bar.onTrainBegin(null, new TrainerState(), new TrainerControl());
        bar.onLog(null, null, null, Map.of("loss", 5.1234567));
        assertEquals(" 25%|######                  | 10/40 [00:05<00:15, 2.00 it/s, loss=5.123]", bar.line(10, 40, 5.0));
        assertEquals("100%|########################| 40/40 [01:00<00:00, 0.67 it/s, loss=5.123]", bar.line(40, 40, 60.0));
    }

    /** What a printer shows for steps 1..n, one every 0.1 s, the last one marked last. */
    private static String printed(boolean terminal, int n) {
        var out = new ByteArrayOutputStream();
        long[] now = {0};
        ProgressPrinter printer = new ProgressPrinter(new PrintStream(out, true, StandardCharsets.UTF_8), terminal,
                () -> now[0]);
        for (int step = 1; step <= n; step++) {
            now[0] = step * 100_000_000L;
            printer.update("step " + step, step == n);
        }
        printer.finish();
        return out.toString(StandardCharsets.UTF_8);
    }

    @Test
    void outsideATerminalProgressIsALineEveryFiveSecondsAndTheLastOne() {
        assertEquals("step 1\nstep 51\nstep 100\n", printed(false, 100));
    }

    @Test
    void onATerminalTheLineIsRedrawnInPlaceAtMostFiveTimesASecond() {
        assertEquals("\rstep 1\rstep 3\rstep 5\rstep 7\rstep 9\rstep 10\n", printed(true, 10));
    }
}
