package dev.jtune.app;

import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.JsonNodeFactory;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.jtune.train.TrainingArguments;
import java.lang.reflect.Field;
import picocli.CommandLine.ArgGroup;
import picocli.CommandLine.Option;

/**
 * Every {@link TrainingArguments} field as a kebab-case flag with its Hugging Face name, in two help sections
 * (training; evaluation, logging and saving); flags left out keep transformers' defaults (shown in {@code --help}).
 */
final class TrainingArgumentsOptions {

    private static final ObjectMapper JSON = new ObjectMapper();

    @Option(names = "--output-dir", required = true, description = "Where checkpoints, the model, metrics and plots go.")
    String outputDir;

    @ArgGroup(validate = false, heading = "%nTraining:%n", order = 1)
    Training training = new Training();

    @ArgGroup(validate = false, heading = "%nEvaluation, logging and saving:%n", order = 2)
    EvaluationAndSaving evaluationAndSaving = new EvaluationAndSaving();

    static final class Training {
        @Option(names = "--per-device-train-batch-size", description = "Rows per training micro-batch (8).")
        Integer perDeviceTrainBatchSize;
        @Option(names = "--gradient-accumulation-steps", description = "Micro-batches per optimizer step (1).")
        Integer gradientAccumulationSteps;
        @Option(names = "--learning-rate", description = "AdamW learning rate (5e-5).")
        Double learningRate;
        @Option(names = "--weight-decay", description = "Decoupled weight decay, not on biases and norms (0).")
        Double weightDecay;
        @Option(names = "--adam-beta1", description = "(0.9)")
        Double adamBeta1;
        @Option(names = "--adam-beta2", description = "(0.999)")
        Double adamBeta2;
        @Option(names = "--adam-epsilon", description = "(1e-8)")
        Double adamEpsilon;
        @Option(names = "--max-grad-norm", description = "Global gradient-norm clipping; 0 disables (1.0).")
        Double maxGradNorm;
        @Option(names = "--num-train-epochs", description = "Epochs, may be fractional (3.0).")
        Double numTrainEpochs;
        @Option(names = "--max-steps", description = "Optimizer steps; overrides epochs when > 0 (-1).")
        Integer maxSteps;
        @Option(names = "--lr-scheduler-type", description = "linear, cosine, constant, constant_with_warmup (linear).")
        String lrSchedulerType;
        @Option(names = "--warmup-ratio", description = "Fraction of steps warming up, when warmup steps is 0 (0).")
        Double warmupRatio;
        @Option(names = "--warmup-steps", description = "Steps of linear warmup (0).")
        Integer warmupSteps;
        @Option(names = "--seed", description = "Seeds dropout and, by default, data order (42).")
        Long seed;
        @Option(names = "--data-seed", description = "Seeds the data order (seed).")
        Long dataSeed;
        @Option(names = "--train-sampling-strategy", description = "random, sequential (random).")
        String trainSamplingStrategy;
        @Option(names = "--dataloader-drop-last", description = "Drop the last incomplete micro-batch of each epoch.")
        Boolean dataloaderDropLast;
        @Option(names = "--resume-from-checkpoint", description = "A checkpoint directory, or 'last'.")
        String resumeFromCheckpoint;
    }

    static final class EvaluationAndSaving {
        @Option(names = "--per-device-eval-batch-size", description = "Rows per evaluation batch (8).")
        Integer perDeviceEvalBatchSize;
        @Option(names = "--logging-strategy", description = "no, steps, epoch (steps).")
        String loggingStrategy;
        @Option(names = "--logging-steps", description = "Log every N steps (500).")
        Integer loggingSteps;
        @Option(names = {"--eval-strategy", "--evaluation-strategy"}, description = "no, steps, epoch (no).")
        String evalStrategy;
        @Option(names = "--eval-steps", description = "Evaluate every N steps (logging steps).")
        Integer evalSteps;
        @Option(names = "--save-strategy", description = "no, steps, epoch (steps).")
        String saveStrategy;
        @Option(names = "--save-steps", description = "Checkpoint every N steps (500).")
        Integer saveSteps;
        @Option(names = "--save-total-limit", description = "Keep at most N checkpoints (all).")
        Integer saveTotalLimit;
        @Option(names = "--load-best-model-at-end", description = "Reload the best checkpoint after training.")
        Boolean loadBestModelAtEnd;
        @Option(names = "--metric-for-best-model", description = "Eval metric deciding the best checkpoint (loss).")
        String metricForBestModel;
        @Option(names = "--greater-is-better", description = "Whether a larger metric is better.")
        Boolean greaterIsBetter;
        @Option(names = "--disable-tqdm", description = "No progress bar; print the logs instead.")
        Boolean disableTqdm;
    }

    /** The arguments: given flags over transformers' defaults. */
    TrainingArguments toArguments() {
        return toArguments(JsonNodeFactory.instance.objectNode());
    }

    /** The arguments: given flags over {@code defaults} (a trainer's own, by Hugging Face name) over transformers'. */
    TrainingArguments toArguments(ObjectNode defaults) {
        ObjectNode json = defaults.deepCopy();
        json.put("output_dir", outputDir);
        put(json, training);
        put(json, evaluationAndSaving);
        return TrainingArguments.fromJson(json);
    }

    /** Each flag given, under its Hugging Face name ({@code --per-device-train-batch-size}: per_device_train_batch_size). */
    private static void put(ObjectNode json, Object group) {
        for (Field field : group.getClass().getDeclaredFields()) {
            Option option = field.getAnnotation(Option.class);
            Object value;
            try {
                value = field.get(group);
            } catch (IllegalAccessException e) {
                throw new IllegalStateException(e);
            }
            if (option != null && value != null) {
                json.set(option.names()[0].substring(2).replace('-', '_'), JSON.valueToTree(value));
            }
        }
    }
}
