package dev.jtune.train;

import com.fasterxml.jackson.core.type.TypeReference;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * Where training stands, saved in every checkpoint as {@code trainer_state.json} with transformers' keys
 * ({@code global_step}, {@code epoch}, {@code log_history}, {@code best_metric}, {@code best_model_checkpoint}, ...).
 * Callbacks read it; only the trainer changes it.
 */
public final class TrainerState {

    private static final ObjectMapper JSON = TrainingArguments.JSON;

    Double epoch;
    int globalStep;
    int maxSteps;
    int loggingSteps;
    int evalSteps;
    int saveSteps;
    int trainBatchSize;
    int numTrainEpochs;
    long numInputTokensSeen;
    double totalFlos;
    List<Map<String, Object>> logHistory = new ArrayList<>();
    Double bestMetric;
    Integer bestGlobalStep;
    String bestModelCheckpoint;
    boolean isLocalProcessZero = true;
    boolean isWorldProcessZero = true;
    boolean isHyperParamSearch;
    String trialName;
    Map<String, Object> trialParams;
    Map<String, Object> statefulCallbacks = new LinkedHashMap<>();

    /** The fractional epoch reached (null before training). */
    public Double epoch() {
        return epoch;
    }

    /** Optimizer steps done. */
    public int globalStep() {
        return globalStep;
    }

    /** Optimizer steps this training run will take. */
    public int maxSteps() {
        return maxSteps;
    }

    /** Every logged entry, oldest first (read-only). */
    public List<Map<String, Object>> logHistory() {
        return Collections.unmodifiableList(logHistory);
    }

    /** The best value of {@code metric_for_best_model} so far, or null. */
    public Double bestMetric() {
        return bestMetric;
    }

    /** The checkpoint directory with the best metric, or null. */
    public String bestModelCheckpoint() {
        return bestModelCheckpoint;
    }

    /** {@code 6 * tokens * non-embedding parameters} of the training done, transformers' estimate. */
    public double totalFlos() {
        return totalFlos;
    }

    /** Writes {@code trainer_state.json} (transformers' keys) to {@code file}, like {@code Trainer.save_state()}. */
    public void save(Path file) throws IOException {
        Files.writeString(file, JSON.writeValueAsString(this) + "\n", StandardCharsets.UTF_8);
    }

    static TrainerState load(Path file) throws IOException {
        try {
            TrainerState state = JSON.readValue(file.toFile(), TrainerState.class);
            state.logHistory = JSON.convertValue(state.logHistory, new TypeReference<List<Map<String, Object>>>() {});
            return state;
        } catch (IOException e) {
            throw new IOException(file + ": cannot read trainer state: " + e.getMessage(), e);
        }
    }
}
