package dev.jtune.train;

import java.util.Map;

/**
 * Hooks into the training loop, as transformers' {@code TrainerCallback}: every method does nothing by default;
 * override the events you need. Callbacks run in the order they were added and may change {@link TrainerControl}.
 */
public interface TrainerCallback {

    default void onTrainBegin(TrainingArguments args, TrainerState state, TrainerControl control) {}

    default void onTrainEnd(TrainingArguments args, TrainerState state, TrainerControl control) {}

    default void onEpochBegin(TrainingArguments args, TrainerState state, TrainerControl control) {}

    default void onEpochEnd(TrainingArguments args, TrainerState state, TrainerControl control) {}

    /** Before the micro-batches of an optimizer step. */
    default void onStepBegin(TrainingArguments args, TrainerState state, TrainerControl control) {}

    /** After an optimizer step ({@code state.globalStep()} counts it). */
    default void onStepEnd(TrainingArguments args, TrainerState state, TrainerControl control) {}

    /** After an evaluation, with its metrics ({@code eval_loss}, ...). */
    default void onEvaluate(TrainingArguments args, TrainerState state, TrainerControl control, Map<String, Double> metrics) {}

    /** After an entry was appended to the log history. */
    default void onLog(TrainingArguments args, TrainerState state, TrainerControl control, Map<String, Object> logs) {}

    /** After a checkpoint was written. */
    default void onSave(TrainingArguments args, TrainerState state, TrainerControl control) {}

    /** After {@code predict}, with its metrics. */
    default void onPredict(TrainingArguments args, TrainerState state, TrainerControl control, Map<String, Double> metrics) {}
}
