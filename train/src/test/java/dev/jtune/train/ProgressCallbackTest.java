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
        ProgressCallback bar = new ProgressCallback(new PrintStream(out, true, StandardCharsets.UTF_8));
        bar.onTrainBegin(null, new TrainerState(), new TrainerControl());
        bar.onLog(null, null, null, Map.of("loss", 5.1234567));
        assertEquals(" 25%|######                  | 10/40 [00:05<00:15, 2.00 it/s, loss=5.123]", bar.line(10, 40, 5.0));
        assertEquals("100%|########################| 40/40 [01:00<00:00, 0.67 it/s, loss=5.123]", bar.line(40, 40, 60.0));
    }
}
