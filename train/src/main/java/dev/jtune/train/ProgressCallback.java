package dev.jtune.train;

import java.util.Map;

/**
 * A progress bar on stderr, like tqdm's: {@code 37/384 [00:12<01:54, 3.05 it/s, loss=5.12]}, with the steps per
 * second and the estimated time left; redrawn in place on a terminal, a line every few seconds in a log
 * ({@link ProgressPrinter}). The trainer adds it unless {@code disableTqdm}.
 */
public final class ProgressCallback implements TrainerCallback {

    private static final int WIDTH = 24;

    private final ProgressPrinter out;
    private long startNanos;
    private int startStep;
    private String lastLoss = "";

    public ProgressCallback() {
        this(ProgressPrinter.stderr());
    }

    public ProgressCallback(ProgressPrinter out) {
        this.out = out;
    }

    @Override
    public void onTrainBegin(TrainingArguments args, TrainerState state, TrainerControl control) {
        startNanos = System.nanoTime();
        startStep = state.globalStep();
    }

    @Override
    public void onStepEnd(TrainingArguments args, TrainerState state, TrainerControl control) {
        out.update(line(state.globalStep(), state.maxSteps(), (System.nanoTime() - startNanos) / 1e9),
                state.globalStep() >= state.maxSteps());
    }

    @Override
    public void onLog(TrainingArguments args, TrainerState state, TrainerControl control, Map<String, Object> logs) {
        if (logs.get("loss") instanceof Number loss) lastLoss = String.format(", loss=%.4g", loss.doubleValue());
    }

    @Override
    public void onTrainEnd(TrainingArguments args, TrainerState state, TrainerControl control) {
        out.finish();
    }

    /** The bar for {@code step} of {@code total} after {@code seconds}. */
    String line(int step, int total, double seconds) {
        int done = step - startStep;
        double rate = seconds > 0 ? done / seconds : 0;
        double eta = rate > 0 ? (total - step) / rate : 0;
        int filled = total > 0 ? (int) ((long) WIDTH * step / total) : WIDTH;
        String bar = "#".repeat(filled) + " ".repeat(WIDTH - filled);
        return String.format("%3d%%|%s| %d/%d [%s<%s, %.2f it/s%s]", total > 0 ? 100L * step / total : 100, bar, step, total,
                clock(seconds), clock(eta), rate, lastLoss);
    }

    private static String clock(double seconds) {
        long s = Math.round(seconds);
        return s >= 3600 ? String.format("%d:%02d:%02d", s / 3600, s / 60 % 60, s % 60) : String.format("%02d:%02d", s / 60, s % 60);
    }
}
