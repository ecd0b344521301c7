package dev.jtune.train;

import java.io.PrintStream;
import java.util.Map;

/** Prints every log entry on its own line (to stderr), as transformers does when the progress bar is disabled. */
public final class PrinterCallback implements TrainerCallback {

    private final PrintStream out;

    public PrinterCallback() {
        this(System.err);
    }

    public PrinterCallback(PrintStream out) {
        this.out = out;
    }

    @Override
    public void onLog(TrainingArguments args, TrainerState state, TrainerControl control, Map<String, Object> logs) {
        out.println(logs);
    }
}
