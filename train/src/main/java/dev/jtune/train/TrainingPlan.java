package dev.jtune.train;

/**
 * How long training runs, from the arguments and the number of micro-batches per epoch (transformers'
 * {@code set_initial_training_values}): an optimizer step takes a window of {@code gradient_accumulation_steps}
 * micro-batches, fewer in the last window of an epoch.
 *
 * @param microPerEpoch  micro-batches per epoch
 * @param stepsPerEpoch  optimizer steps per epoch
 * @param maxSteps       optimizer steps in all ({@code max_steps}, or the epochs' worth)
 * @param epochs         epochs begun, the last possibly partial
 * @param warmupSteps    the scheduler's warmup ({@code warmup_steps}, or {@code warmup_ratio} of the steps)
 */
record TrainingPlan(int microPerEpoch, int stepsPerEpoch, int maxSteps, int epochs, int warmupSteps) {

    static TrainingPlan of(TrainingArguments args, int microPerEpoch) {
        int accumulation = args.gradientAccumulationSteps();
        int stepsPerEpoch = (microPerEpoch + accumulation - 1) / accumulation;
        int maxSteps = args.maxSteps() > 0 ? args.maxSteps() : (int) Math.ceil(args.numTrainEpochs() * stepsPerEpoch);
        int epochs = args.maxSteps() > 0 ? (maxSteps + stepsPerEpoch - 1) / stepsPerEpoch : (int) Math.ceil(args.numTrainEpochs());
        int warmup = args.warmupSteps() > 0 ? args.warmupSteps() : (int) Math.ceil(maxSteps * args.warmupRatio());
        return new TrainingPlan(microPerEpoch, stepsPerEpoch, maxSteps, epochs, warmup);
    }
}
