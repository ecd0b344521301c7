package dev.jtune.train;

import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.jtune.core.Generator;
import dev.jtune.core.Tensor;
import dev.jtune.core.autograd.GradMode;
import dev.jtune.core.io.SafetensorsWriter;
import dev.jtune.nn.Checkpoints;
import dev.jtune.nn.Module;
import dev.jtune.nn.Parameter;
import dev.jtune.nn.PreTrainedModel;
import dev.jtune.nn.peft.AdapterModel;
import dev.jtune.nn.peft.PeftModel;
import dev.jtune.train.optim.AdamW;
import dev.jtune.train.optim.LRScheduler;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * What a checkpoint directory holds and how it is read back: {@code model.safetensors} + {@code config.json} (the
 * model, loadable on its own) or, for a model with adapters ({@link AdapterModel}: a LoRA causal LM or reward
 * model), the adapter folder's {@code adapter_model.safetensors} + {@code adapter_config.json} (as transformers'
 * Trainer saves a PEFT model; the frozen base is not saved),
 * {@code optimizer.safetensors} (AdamW's moments and step counts, for the trainable parameters only),
 * {@code scheduler.json}, {@code rng_state.json} (the dropout generator), {@code data_state.json} ({@link LoopState}),
 * {@code training_args.json} and, last, {@code trainer_state.json}.
 */
final class TrainerCheckpoint {

    static final String OPTIMIZER = "optimizer.safetensors";
    static final String SCHEDULER = "scheduler.json";
    static final String RNG_STATE = "rng_state.json";
    static final String DATA_STATE = "data_state.json";
    static final String TRAINING_ARGS = "training_args.json";

    private TrainerCheckpoint() {}

    /** Everything a checkpoint saves, in writing order (the trainer state last: it marks the checkpoint complete). */
    static LinkedHashMap<String, CheckpointIO.Part> parts(PreTrainedModel model, AdamW optimizer, LRScheduler scheduler,
                                                          LoopState loop, TrainerState state, TrainingArguments args) {
        LinkedHashMap<String, CheckpointIO.Part> parts = new LinkedHashMap<>();
        parts.put(weightsFile(model), model::savePretrained);
        parts.put(OPTIMIZER, dir -> {
            SafetensorsWriter w = new SafetensorsWriter().metadata("format", "jtune-adamw");
            optimizer.stateDict().forEach((name, t) -> Checkpoints.addFloats(w, name, t));
            w.write(dir.resolve(OPTIMIZER));
        });
        parts.put(SCHEDULER, dir -> writeJson(dir.resolve(SCHEDULER),
                json().put("last_epoch", scheduler.lastEpoch()).put("last_lr", scheduler.lr())));
        parts.put(RNG_STATE, dir -> {
            ObjectNode rng = json();
            Generator g = model.dropoutGenerator();
            if (g != null) {
                var words = rng.putArray("dropout_generator");
                for (long word : g.getState()) words.add(word);
            }
            writeJson(dir.resolve(RNG_STATE), rng);
        });
        parts.put(DATA_STATE, dir -> writeJson(dir.resolve(DATA_STATE), TrainingArguments.JSON.valueToTree(loop)));
        parts.put(TRAINING_ARGS, dir -> args.save(dir.resolve(TRAINING_ARGS)));
        parts.put(CheckpointIO.COMPLETE_MARKER, dir -> state.save(dir.resolve(CheckpointIO.COMPLETE_MARKER)));
        return parts;
    }

    /** Restores the model, optimizer, scheduler and generator from {@code dir}; returns the loop state. */
    static LoopState restore(Path dir, PreTrainedModel model, AdamW optimizer, LRScheduler scheduler) throws IOException {
        for (String f : List.of(weightsFile(model), OPTIMIZER, SCHEDULER, RNG_STATE, DATA_STATE, CheckpointIO.COMPLETE_MARKER)) {
            if (!Files.isRegularFile(dir.resolve(f))) throw new NoSuchFileException(dir.resolve(f).toString(), null,
                    "incomplete checkpoint: missing " + f);
        }
        loadWeights(dir, model);
        try {
            optimizer.loadStateDict(Checkpoints.loadFile(dir.resolve(OPTIMIZER)));
        } catch (IllegalArgumentException e) {
            throw new IOException(dir.resolve(OPTIMIZER) + ": " + e.getMessage(), e);
        }
        scheduler.setLastEpoch(readJson(dir.resolve(SCHEDULER)).required("last_epoch").asInt());
        var rng = readJson(dir.resolve(RNG_STATE)).get("dropout_generator");
        Generator g = model.dropoutGenerator();
        if (g != null && rng != null) {
            long[] words = new long[rng.size()];
            for (int i = 0; i < words.length; i++) words[i] = rng.get(i).asLong();
            g.setState(words);
        }
        return TrainingArguments.JSON.treeToValue(readJson(dir.resolve(DATA_STATE)), LoopState.class);
    }

    /** The file holding a checkpoint's weights: the adapter's for an {@link AdapterModel}, else the model's. */
    static String weightsFile(PreTrainedModel model) {
        return model instanceof AdapterModel ? PeftModel.WEIGHTS_NAME : "model.safetensors";
    }

    /**
     * Loads the weights saved in {@code dir} into {@code model}; every parameter must be there with its shape
     * (a tied weight is stored once, under its first name), checked before anything changes. The values are copied into
     * the parameters' own buffers and the buffers read from the file go back to the pool (the gradients of the next
     * step take them), so resuming does not hold the weights twice. For an {@link AdapterModel} these are the adapter's
     * tensors, loaded onto the base it already has (transformers' Trainer calls {@code load_adapter}).
     */
    static void loadWeights(Path dir, PreTrainedModel model) throws IOException {
        if (model instanceof AdapterModel peft) {
            Path file = dir.resolve(PeftModel.WEIGHTS_NAME);
            try {
                peft.loadAdapterStateDict(Checkpoints.loadFile(file));
            } catch (IllegalArgumentException e) {
                throw new IOException(file + ": checkpoint does not fit the model: " + e.getMessage(), e);
            }
            return;
        }
        Map<String, Tensor> saved = Checkpoints.loadTensors(dir);
        Module.LoadResult found = model.checkStateDict(saved);
        Map<String, Parameter> params = model.namedParameters();  // a tied weight under its first name only
        List<String> missing = new ArrayList<>(found.missingKeys());
        missing.removeIf(name -> !params.containsKey(name));  // tied names, filled through their first name
        if (!missing.isEmpty() || !found.unexpectedKeys().isEmpty() || !found.mismatchedShapes().isEmpty()) {
            throw new IOException(dir + ": checkpoint does not fit the model: "
                    + new Module.LoadResult(missing, found.unexpectedKeys(), found.mismatchedShapes()).describe());
        }
        try (var noGrad = GradMode.noGrad()) {
            params.forEach((name, p) -> p.value().copy_(saved.get(name)));
        }
        saved.forEach((name, t) -> t.storage().release("copied into the model's parameters when resuming"));
    }

    private static ObjectNode json() {
        return TrainingArguments.JSON.createObjectNode();
    }

    private static void writeJson(Path file, ObjectNode node) throws IOException {
        Files.writeString(file, TrainingArguments.JSON.writeValueAsString(node) + "\n", StandardCharsets.UTF_8);
    }

    private static com.fasterxml.jackson.databind.JsonNode readJson(Path file) throws IOException {
        try {
            return TrainingArguments.JSON.readTree(file.toFile());
        } catch (IOException e) {
            throw new IOException(file + ": " + e.getMessage(), e);
        }
    }
}
