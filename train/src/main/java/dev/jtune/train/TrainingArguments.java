package dev.jtune.train;

import com.fasterxml.jackson.annotation.JsonAutoDetect;
import com.fasterxml.jackson.annotation.JsonIgnoreProperties;
import com.fasterxml.jackson.annotation.PropertyAccessor;
import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.DeserializationFeature;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.PropertyNamingStrategies;
import com.fasterxml.jackson.databind.SerializationFeature;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.jtune.train.optim.SchedulerType;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;

/**
 * The trainer's settings, with transformers' {@code TrainingArguments} names and defaults (camelCase here,
 * snake_case in {@code training_args.json}). Build with {@link #builder()}; {@link #toJson()} / {@link #fromJson}
 * convert both ways (unknown JSON keys, such as transformers' many others, are ignored).
 *
 * <p>As transformers does on construction, defaults are resolved: {@code evalSteps} falls back to
 * {@code loggingSteps}; with {@code loadBestModelAtEnd} the metric defaults to {@code "loss"}; {@code greaterIsBetter}
 * defaults to whether the metric does not end in "loss"; {@code dataSeed} defaults to {@code seed}.
 *
 * @param outputDir                where checkpoints go ("trainer_output")
 * @param perDeviceTrainBatchSize  rows per training micro-batch (8)
 * @param perDeviceEvalBatchSize   rows per evaluation batch (8)
 * @param gradientAccumulationSteps micro-batches per optimizer step (1)
 * @param learningRate             AdamW's initial learning rate (5e-5)
 * @param weightDecay              AdamW's decoupled weight decay, not applied to biases and norm weights (0)
 * @param adamBeta1                (0.9)
 * @param adamBeta2                (0.999)
 * @param adamEpsilon              (1e-8)
 * @param maxGradNorm              global gradient-norm clipping threshold; 0 disables clipping (1.0)
 * @param numTrainEpochs           epochs to train, may be fractional (3.0); ignored when maxSteps > 0
 * @param maxSteps                 optimizer steps to train; -1 means use numTrainEpochs (-1)
 * @param lrSchedulerType          (linear)
 * @param warmupRatio              fraction of the steps spent warming up, used when warmupSteps is 0 (0.0)
 * @param warmupSteps              steps of linear warmup (0)
 * @param loggingStrategy          (steps)
 * @param loggingSteps             log every N steps (500)
 * @param evalStrategy             (no)
 * @param evalSteps                evaluate every N steps (loggingSteps)
 * @param saveStrategy             (steps)
 * @param saveSteps                save a checkpoint every N steps (500)
 * @param saveTotalLimit           keep at most this many checkpoints, the best one included (null: all)
 * @param loadBestModelAtEnd       reload the best checkpoint's weights after training (false)
 * @param metricForBestModel       the eval metric that decides the best checkpoint, without "eval_" ("loss" if loading the best)
 * @param greaterIsBetter          whether a larger metric is better (false for losses)
 * @param seed                     seeds dropout (42)
 * @param dataSeed                 seeds the training order (seed)
 * @param trainSamplingStrategy    (random)
 * @param dataloaderDropLast       drop the last incomplete micro-batch of each epoch (false)
 * @param resumeFromCheckpoint     a checkpoint directory, or "last" for the newest in outputDir (null)
 * @param disableTqdm              no progress bar; logs are printed instead (false)
 */
@JsonIgnoreProperties(ignoreUnknown = true)
public record TrainingArguments(
        String outputDir,
        int perDeviceTrainBatchSize,
        int perDeviceEvalBatchSize,
        int gradientAccumulationSteps,
        double learningRate,
        double weightDecay,
        double adamBeta1,
        double adamBeta2,
        double adamEpsilon,
        double maxGradNorm,
        double numTrainEpochs,
        int maxSteps,
        SchedulerType lrSchedulerType,
        double warmupRatio,
        int warmupSteps,
        IntervalStrategy loggingStrategy,
        int loggingSteps,
        IntervalStrategy evalStrategy,
        Integer evalSteps,
        IntervalStrategy saveStrategy,
        int saveSteps,
        Integer saveTotalLimit,
        boolean loadBestModelAtEnd,
        String metricForBestModel,
        Boolean greaterIsBetter,
        long seed,
        Long dataSeed,
        SamplingStrategy trainSamplingStrategy,
        boolean dataloaderDropLast,
        String resumeFromCheckpoint,
        boolean disableTqdm) {

    static final ObjectMapper JSON = new ObjectMapper()
            .setPropertyNamingStrategy(PropertyNamingStrategies.SNAKE_CASE)
            .setVisibility(PropertyAccessor.FIELD, JsonAutoDetect.Visibility.ANY)
            .enable(DeserializationFeature.FAIL_ON_NULL_FOR_PRIMITIVES)
            .enable(SerializationFeature.INDENT_OUTPUT);

    public TrainingArguments {
        positive("per_device_train_batch_size", perDeviceTrainBatchSize);
        positive("per_device_eval_batch_size", perDeviceEvalBatchSize);
        positive("gradient_accumulation_steps", gradientAccumulationSteps);
        positive("logging_steps", loggingSteps);
        positive("save_steps", saveSteps);
        if (evalSteps == null) evalSteps = loggingSteps;
        positive("eval_steps", evalSteps);
        if (learningRate < 0) throw invalid("learning_rate must be >= 0, got " + learningRate);
        if (weightDecay < 0) throw invalid("weight_decay must be >= 0, got " + weightDecay);
        if (maxGradNorm < 0) throw invalid("max_grad_norm must be >= 0, got " + maxGradNorm);
        if (maxSteps <= 0 && maxSteps != -1) throw invalid("max_steps must be positive or -1, got " + maxSteps);
        if (maxSteps == -1 && numTrainEpochs <= 0) throw invalid("num_train_epochs must be positive, got " + numTrainEpochs);
        if (warmupSteps < 0) throw invalid("warmup_steps must be >= 0, got " + warmupSteps);
        if (warmupRatio < 0 || warmupRatio > 1) throw invalid("warmup_ratio must be in [0, 1], got " + warmupRatio);
        if (saveTotalLimit != null && saveTotalLimit < 1) throw invalid("save_total_limit must be >= 1, got " + saveTotalLimit);
        if (outputDir == null || outputDir.isEmpty()) throw invalid("output_dir must be set");
        if (loadBestModelAtEnd) {
            if (evalStrategy == IntervalStrategy.NO || saveStrategy != evalStrategy) {
                throw invalid("load_best_model_at_end needs save_strategy == eval_strategy (not 'no'), got save "
                        + saveStrategy.hfName() + " and eval " + evalStrategy.hfName());
            }
            if (evalStrategy == IntervalStrategy.STEPS && saveSteps % evalSteps != 0) {
                throw invalid("load_best_model_at_end needs save_steps (" + saveSteps + ") to be a multiple of eval_steps ("
                        + evalSteps + ")");
            }
            if (metricForBestModel == null) metricForBestModel = "loss";
        }
        if (metricForBestModel != null && greaterIsBetter == null) greaterIsBetter = !metricForBestModel.endsWith("loss");
        if (dataSeed == null) dataSeed = seed;
    }

    private static void positive(String name, int value) {
        if (value < 1) throw invalid(name + " must be >= 1, got " + value);
    }

    private static IllegalArgumentException invalid(String message) {
        return new IllegalArgumentException("TrainingArguments: " + message);
    }

    /** A builder holding transformers' defaults. */
    public static Builder builder() {
        return new Builder();
    }

    /** A builder starting from these arguments. */
    public Builder toBuilder() {
        return JSON.convertValue(this, Builder.class);
    }

    /** The arguments as {@code training_args.json} holds them (snake_case keys). */
    public ObjectNode toJson() {
        return JSON.valueToTree(this);
    }

    /** Writes {@link #toJson()} to {@code file}. */
    public void save(Path file) throws IOException {
        Files.writeString(file, JSON.writeValueAsString(toJson()) + "\n", StandardCharsets.UTF_8);
    }

    /** Arguments from JSON: keys it lacks keep their defaults, keys jtune does not know are ignored. */
    public static TrainingArguments fromJson(JsonNode json) {
        ObjectNode merged = JSON.valueToTree(new Builder());
        json.properties().forEach(e -> {
            if (merged.has(e.getKey())) merged.set(e.getKey(), e.getValue());
        });
        try {
            return JSON.treeToValue(merged, TrainingArguments.class);
        } catch (JsonProcessingException e) {
            throw new IllegalArgumentException("TrainingArguments: " + e.getOriginalMessage(), e);
        }
    }

    /** Reads {@code training_args.json}; the error names the file. */
    public static TrainingArguments load(Path file) throws IOException {
        try {
            return fromJson(JSON.readTree(file.toFile()));
        } catch (JsonProcessingException | IllegalArgumentException e) {
            throw new IOException(file + ": " + e.getMessage(), e);
        }
    }

    /** Builds {@link TrainingArguments}; every setter is named after the field it sets. */
    @JsonIgnoreProperties(ignoreUnknown = true)
    public static final class Builder {
        private String outputDir = "trainer_output";
        private int perDeviceTrainBatchSize = 8;
        private int perDeviceEvalBatchSize = 8;
        private int gradientAccumulationSteps = 1;
        private double learningRate = 5e-5;
        private double weightDecay = 0.0;
        private double adamBeta1 = 0.9;
        private double adamBeta2 = 0.999;
        private double adamEpsilon = 1e-8;
        private double maxGradNorm = 1.0;
        private double numTrainEpochs = 3.0;
        private int maxSteps = -1;
        private SchedulerType lrSchedulerType = SchedulerType.LINEAR;
        private double warmupRatio = 0.0;
        private int warmupSteps = 0;
        private IntervalStrategy loggingStrategy = IntervalStrategy.STEPS;
        private int loggingSteps = 500;
        private IntervalStrategy evalStrategy = IntervalStrategy.NO;
        private Integer evalSteps;
        private IntervalStrategy saveStrategy = IntervalStrategy.STEPS;
        private int saveSteps = 500;
        private Integer saveTotalLimit;
        private boolean loadBestModelAtEnd;
        private String metricForBestModel;
        private Boolean greaterIsBetter;
        private long seed = 42;
        private Long dataSeed;
        private SamplingStrategy trainSamplingStrategy = SamplingStrategy.RANDOM;
        private boolean dataloaderDropLast;
        private String resumeFromCheckpoint;
        private boolean disableTqdm;

        Builder() {}

        public Builder outputDir(String v) { outputDir = v; return this; }
        public Builder perDeviceTrainBatchSize(int v) { perDeviceTrainBatchSize = v; return this; }
        public Builder perDeviceEvalBatchSize(int v) { perDeviceEvalBatchSize = v; return this; }
        public Builder gradientAccumulationSteps(int v) { gradientAccumulationSteps = v; return this; }
        public Builder learningRate(double v) { learningRate = v; return this; }
        public Builder weightDecay(double v) { weightDecay = v; return this; }
        public Builder adamBeta1(double v) { adamBeta1 = v; return this; }
        public Builder adamBeta2(double v) { adamBeta2 = v; return this; }
        public Builder adamEpsilon(double v) { adamEpsilon = v; return this; }
        public Builder maxGradNorm(double v) { maxGradNorm = v; return this; }
        public Builder numTrainEpochs(double v) { numTrainEpochs = v; return this; }
        public Builder maxSteps(int v) { maxSteps = v; return this; }
        public Builder lrSchedulerType(SchedulerType v) { lrSchedulerType = v; return this; }
        public Builder warmupRatio(double v) { warmupRatio = v; return this; }
        public Builder warmupSteps(int v) { warmupSteps = v; return this; }
        public Builder loggingStrategy(IntervalStrategy v) { loggingStrategy = v; return this; }
        public Builder loggingSteps(int v) { loggingSteps = v; return this; }
        public Builder evalStrategy(IntervalStrategy v) { evalStrategy = v; return this; }
        public Builder evalSteps(Integer v) { evalSteps = v; return this; }
        public Builder saveStrategy(IntervalStrategy v) { saveStrategy = v; return this; }
        public Builder saveSteps(int v) { saveSteps = v; return this; }
        public Builder saveTotalLimit(Integer v) { saveTotalLimit = v; return this; }
        public Builder loadBestModelAtEnd(boolean v) { loadBestModelAtEnd = v; return this; }
        public Builder metricForBestModel(String v) { metricForBestModel = v; return this; }
        public Builder greaterIsBetter(Boolean v) { greaterIsBetter = v; return this; }
        public Builder seed(long v) { seed = v; return this; }
        public Builder dataSeed(Long v) { dataSeed = v; return this; }
        public Builder trainSamplingStrategy(SamplingStrategy v) { trainSamplingStrategy = v; return this; }
        public Builder dataloaderDropLast(boolean v) { dataloaderDropLast = v; return this; }
        public Builder resumeFromCheckpoint(String v) { resumeFromCheckpoint = v; return this; }
        public Builder disableTqdm(boolean v) { disableTqdm = v; return this; }

        public TrainingArguments build() {
            return new TrainingArguments(outputDir, perDeviceTrainBatchSize, perDeviceEvalBatchSize,
                    gradientAccumulationSteps, learningRate, weightDecay, adamBeta1, adamBeta2, adamEpsilon, maxGradNorm,
                    numTrainEpochs, maxSteps, lrSchedulerType, warmupRatio, warmupSteps, loggingStrategy, loggingSteps,
                    evalStrategy, evalSteps, saveStrategy, saveSteps, saveTotalLimit, loadBestModelAtEnd,
                    metricForBestModel, greaterIsBetter, seed, dataSeed, trainSamplingStrategy, dataloaderDropLast,
                    resumeFromCheckpoint, disableTqdm);
        }
    }
}
