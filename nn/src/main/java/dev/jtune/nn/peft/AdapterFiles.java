package dev.jtune.nn.peft;

import dev.jtune.core.Tensor;
import dev.jtune.core.io.SafetensorsReader;
import dev.jtune.core.io.SafetensorsWriter;
import dev.jtune.nn.Checkpoints;
import dev.jtune.nn.ConfigJson;
import dev.jtune.nn.Layers.Embedding;
import dev.jtune.nn.Layers.Linear;
import dev.jtune.nn.Module;
import dev.jtune.nn.Parameter;
import dev.jtune.nn.PreTrainedCausalLM;
import dev.jtune.nn.PreTrainedModel;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.InvalidPathException;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.util.Arrays;
import java.util.LinkedHashMap;
import java.util.Map;

/** An adapter folder in PEFT's layout: {@code adapter_config.json} and {@code adapter_model.safetensors}. */
final class AdapterFiles {

    /** The weights file PEFT writes by default. */
    static final String WEIGHTS = "adapter_model.safetensors";

    private AdapterFiles() {}

    /** Writes the config and the tensors (F32, {@code {"format":"pt"}} metadata, each file atomically). */
    static void save(Path dir, LoraConfig config, Map<String, Tensor> tensors) throws IOException {
        Files.createDirectories(dir);
        SafetensorsWriter writer = new SafetensorsWriter().metadata("format", "pt");
        tensors.forEach((name, t) -> Checkpoints.addFloats(writer, name, t));
        writer.write(dir.resolve(WEIGHTS));
        LoraConfigJson.write(config, dir);
    }

    /**
     * Reads {@code dir}'s {@code adapter_config.json} for a model of PEFT's task type {@code taskType}: the file's
     * {@code task_type} must be that one (a causal LM also takes none, as PEFT's plain {@code PeftModel} does), so an
     * adapter trained for another head fails naming the file and key. With {@code trainable} false the adapter is
     * loaded for inference ({@code inference_mode}).
     */
    static LoraConfig readConfig(Path dir, String taskType, boolean trainable) throws IOException {
        LoraConfig config = LoraConfigJson.read(dir);
        String found = config.taskType();
        if (!taskType.equals(found) && !(found == null && taskType.equals(PeftModel.TASK_TYPE))) {
            throw new IllegalArgumentException(dir.resolve(LoraConfigJson.FILE) + ": key 'task_type': a " + found
                    + " adapter does not fit a " + describe(taskType) + " (" + taskType + ")");
        }
        return config.toBuilder().inferenceMode(!trainable).build();
    }

    private static String describe(String taskType) {
        return taskType.equals(PeftModel.TASK_TYPE) ? "causal LM" : "sequence classifier";
    }

    /**
     * Whether {@code dir}'s weights file holds LoRA matrices only (no embedding or module saved with them, which would
     * load into the base's own parameters); false when there is no such file. Reads the header alone.
     */
    static boolean savesOnlyLoraMatrices(Path dir) throws IOException {
        Path file = dir.resolve(WEIGHTS);
        if (!Files.exists(file)) return false;
        try (SafetensorsReader reader = SafetensorsReader.open(file)) {
            return reader.names().stream().allMatch(name -> name.contains(".lora_"));
        }
    }

    /**
     * Checks every tensor of {@code dir}'s weights file against {@code model} and {@code config}, then resizes a causal
     * LM's embeddings if the file's differ in rows, injects the adapters and loads the tensors.
     */
    static LoraModel load(PreTrainedModel model, Path dir, LoraConfig config) throws IOException {
        Path file = dir.resolve(WEIGHTS);
        if (!Files.exists(file)) {
            if (Files.exists(dir.resolve("adapter_model.bin"))) {
                throw new IOException(dir.resolve("adapter_model.bin") + ": pickled PyTorch adapters are not supported;"
                        + " save the adapter with safetensors (PEFT's default)");
            }
            throw new NoSuchFileException(file + ": no " + WEIGHTS + " in the adapter folder");
        }
        Map<String, Tensor> tensors = Checkpoints.loadFile(file);
        Path configFile = dir.resolve(LoraConfigJson.FILE);
        Map<String, int[]> expected = new LinkedHashMap<>();
        TargetModules targets = config.targetModules() != null ? config.targetModules()
                : TargetModules.defaultFor(model.config().modelType());
        Map<String, Module> layers;
        Map<String, Parameter> toSave;
        try {
            layers = TargetModules.resolve(model, targets, config.excludeModules(), config.modulesToSave());
            toSave = LoraModel.modulesToSave(model, config.modulesToSave());
        } catch (IllegalArgumentException e) {
            throw new IllegalArgumentException(configFile + ": " + e.getMessage(), e);
        }
        layers.forEach((name, m) -> {
            int[] w = LoraLayer.baseWeight(m).shape();
            boolean linear = m instanceof Linear;
            int in = linear ? w[1] : w[0], out = linear ? w[0] : w[1];
            expected.put(name + ".lora_A.weight", new int[] {config.r(), in});
            expected.put(name + ".lora_B.weight", new int[] {out, config.r()});
        });
        PreTrainedCausalLM lm = model instanceof PreTrainedCausalLM c ? c : null;
        Map<String, Parameter> embeddings = lm == null ? Map.of() : embeddingNames(lm);
        int vocab = model.config().vocabSize(), newVocab = vocab;
        for (var e : tensors.entrySet()) {
            String key = e.getKey();
            int[] shape = e.getValue().shape();
            if (!key.startsWith(PeftModel.PREFIX)) {
                throw new IllegalArgumentException(file + ": key " + key + " does not start with "
                        + PeftModel.PREFIX + " (not a PEFT adapter's name)");
            }
            String name = key.substring(PeftModel.PREFIX.length());
            int[] want = expected.containsKey(name) ? expected.get(name)
                    : toSave.containsKey(name) ? toSave.get(name).shape() : null;
            if (embeddings.containsKey(name) && !expected.containsKey(name)) {
                int[] have = embeddings.get(name).shape();
                if (shape.length != 2 || shape[1] != have[1] || (newVocab != vocab && shape[0] != newVocab)) {
                    throw mismatch(file, key, shape, new int[] {newVocab, have[1]});
                }
                newVocab = shape[0];
            } else if (want == null) {
                throw new IllegalArgumentException(file + ": key " + key + " fits no LoRA target or module of the "
                        + model.config().modelType() + " model (" + configFile.getFileName() + " targets "
                        + targets.describe() + ", modules_to_save " + config.modulesToSave() + ")");
            } else if (!Arrays.equals(shape, want)) {
                throw mismatch(file, key, shape, want);
            }
        }
        for (String name : expected.keySet()) {
            if (!tensors.containsKey(PeftModel.PREFIX + name)) {
                throw new IllegalArgumentException(file + ": lacks key " + PeftModel.PREFIX + name + ", which "
                        + configFile.getFileName() + "'s target_modules " + targets.describe() + " imply");
            }
        }

        if (newVocab != vocab) lm.resizeTokenEmbeddings(newVocab);
        LoraModel lora = new LoraModel(model, config, 0);
        Map<String, Parameter> adapterParams = new LinkedHashMap<>();
        lora.loraLayers().forEach((name, l) -> {
            adapterParams.put(name + ".lora_A.weight", l.loraA());
            adapterParams.put(name + ".lora_B.weight", l.loraB());
        });
        adapterParams.putAll(lora.modulesToSave());
        embeddings = lm == null ? Map.of() : embeddingNames(lm);  // resized: the same parameters, new values
        for (var e : tensors.entrySet()) {
            String name = e.getKey().substring(PeftModel.PREFIX.length());
            Parameter p = adapterParams.containsKey(name) ? adapterParams.get(name) : embeddings.get(name);
            p.set(e.getValue().to(p.value().dtype()).contiguous());
        }
        return lora;
    }

    private static IllegalArgumentException mismatch(Path file, String key, int[] shape, int[] want) {
        return new IllegalArgumentException(file + ": key " + key + " has shape " + Arrays.toString(shape)
                + " but the model needs " + Arrays.toString(want));
    }

    /**
     * The names of the input embedding and output head weights (both when tied), as PEFT saves embedding layers:
     * {@code transformer.wte.weight}, {@code lm_head.weight}.
     */
    static Map<String, Parameter> embeddingNames(PreTrainedCausalLM model) {
        Map<String, Parameter> out = new LinkedHashMap<>();
        model.namedModules().forEach((name, m) -> {
            if (m instanceof Embedding e && e.weight == model.inputEmbeddings()) out.put(name + ".weight", e.weight);
            if (m instanceof Linear l && l.weight == model.outputEmbeddings()) out.put(name + ".weight", l.weight);
        });
        return out;
    }

    /**
     * PEFT's {@code save_embedding_layers="auto"}: the vocabulary differs from the one at injection, or from the
     * {@code vocab_size} in {@code base_model_name_or_path}'s config.json when that folder exists.
     */
    static boolean vocabChanged(LoraConfig config, int vocab, int vocabAtInjection) {
        if (vocab != vocabAtInjection) return true;
        String base = config.baseModelNameOrPath();
        if (base == null) return false;
        try {
            Path dir = Path.of(base);
            if (!Files.exists(dir.resolve("config.json"))) return false;
            return ConfigJson.read(dir).node().path("vocab_size").asInt(vocab) != vocab;
        } catch (IOException | InvalidPathException e) {
            return false;
        }
    }
}
