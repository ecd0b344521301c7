package dev.jtune.train;

/**
 * What the trainer does next, as transformers' {@code TrainerControl}: the trainer sets the flags its strategies ask
 * for before calling the callbacks, a callback may set or clear them (stop early, force a save), and the trainer
 * acts on them and resets them.
 */
public final class TrainerControl {

    private boolean shouldTrainingStop;
    private boolean shouldEpochStop;
    private boolean shouldSave;
    private boolean shouldEvaluate;
    private boolean shouldLog;

    public boolean shouldTrainingStop() { return shouldTrainingStop; }
    public boolean shouldEpochStop() { return shouldEpochStop; }
    public boolean shouldSave() { return shouldSave; }
    public boolean shouldEvaluate() { return shouldEvaluate; }
    public boolean shouldLog() { return shouldLog; }

    public void setShouldTrainingStop(boolean v) { shouldTrainingStop = v; }
    public void setShouldEpochStop(boolean v) { shouldEpochStop = v; }
    public void setShouldSave(boolean v) { shouldSave = v; }
    public void setShouldEvaluate(boolean v) { shouldEvaluate = v; }
    public void setShouldLog(boolean v) { shouldLog = v; }

    /** Clears the log/evaluate/save flags once the trainer has acted on them. */
    void resetStepFlags() {
        shouldLog = false;
        shouldEvaluate = false;
        shouldSave = false;
    }
}
