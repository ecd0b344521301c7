package dev.jtune.nn.peft;

import dev.jtune.core.DType;
import dev.jtune.core.Generator;
import dev.jtune.core.Tensor;
import dev.jtune.core.autograd.GradMode;
import dev.jtune.nn.Layers.Conv1D;
import dev.jtune.nn.Module;
import dev.jtune.nn.Parameter;
import dev.jtune.nn.PreTrainedCausalLM;
import dev.jtune.nn.PreTrainedModel;
import java.io.IOException;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.Collections;
import java.util.IdentityHashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;

/**
 * PEFT's {@code LoraModel}: a model (a causal LM or a sequence classifier) with LoRA adapters injected into its layers
 * in place, its own parameters frozen and its {@code modules_to_save} trainable. It holds the model under
 * {@code model}; {@link PeftModel} and {@link PeftModelForSequenceClassification} hold it under {@code base_model},
 * which gives every name the {@code base_model.model.} prefix of PEFT's files. Everything the two share lives here:
 * injection, disabling, merging, and the adapter's tensors under their saved names.
 */
final class LoraModel extends Module {

    private final PreTrainedModel model;
    private final LoraConfig config;
    private final Map<String, LoraLayer> loras;
    private final Map<String, Parameter> saved;   // modules_to_save parameters by name in the model
    private final Map<Parameter, Tensor> originals = new IdentityHashMap<>();
    private final Set<Parameter> frozenByAdapter = Collections.newSetFromMap(new IdentityHashMap<>());
    private final Generator loraDropout;
    private final int vocabAtInjection;
    private boolean adaptersDisabled;
    private boolean unloaded;

    /** Injects the adapters {@code requested} describes into {@code model}, A (and a random B) drawn from {@code seed}. */
    LoraModel(PreTrainedModel model, LoraConfig requested, long seed) {
        this.model = model;
        TargetModules targets = requested.targetModules() != null ? requested.targetModules()
                : TargetModules.defaultFor(model.config().modelType());
        Map<String, Module> layers = TargetModules.resolve(model, targets, requested.excludeModules(),
                requested.modulesToSave());
        saved = modulesToSave(model, requested.modulesToSave());
        boolean conv = layers.values().stream().allMatch(m -> m instanceof Conv1D);
        config = requested.toBuilder().targetModules(targets.isAllLinear() ? TargetModules.lastParts(layers.keySet())
                : targets).fanInFanOut(conv).build();
        vocabAtInjection = model.config().vocabSize();

        for (Parameter p : model.parameters()) {
            if (p.requiresGrad()) frozenByAdapter.add(p);
            p.requiresGrad(false);
        }
        Generator init = new Generator(seed);
        loraDropout = model.dropoutGenerator() != null ? model.dropoutGenerator() : new Generator(seed + 1);
        loras = new LinkedHashMap<>();
        layers.forEach((name, m) -> loras.put(name, new LoraLayer(m, config.r(), config.scaling(), config.loraDropout(),
                config.initLoraWeights(), init, loraDropout)));
        for (Parameter p : saved.values()) {
            if (!p.value().dtype().isCompute()) p.set(p.value().to(DType.F32));
            originals.put(p, p.value().detach().clone());
            p.requiresGrad(true);
        }
        if (config.inferenceMode()) {
            trainableAdapters(false);
            saved.values().forEach(p -> p.requiresGrad(false));
        }
        registerModule("model", model);
    }

    /** The model with the adapters injected. */
    PreTrainedModel model() {
        return model;
    }

    /** The configuration as applied: target modules resolved, {@code fan_in_fan_out} as the layers force it. */
    LoraConfig config() {
        return config;
    }

    Map<String, LoraLayer> loraLayers() {
        return Collections.unmodifiableMap(loras);
    }

    /** The parameters of {@code modules_to_save} by their name in the model. */
    Map<String, Parameter> modulesToSave() {
        return saved;
    }

    /** The generator of the adapters' dropout masks (the model's own when it has one). */
    Generator loraDropout() {
        return loraDropout;
    }

    /** Freezes or unfreezes every adapter's A and B. */
    private void trainableAdapters(boolean mode) {
        for (LoraLayer l : loras.values()) {
            l.loraA().requiresGrad(mode);
            l.loraB().requiresGrad(mode);
        }
    }

    /** Turns the adapters off until the returned scope closes (see {@link AdapterModel#disableAdapter()}). */
    AdapterModel.AdapterScope disableAdapter() {
        if (adaptersDisabled) throw new IllegalStateException("disableAdapter: the adapters are already disabled");
        setAdapters(false);
        return () -> setAdapters(true);
    }

    private void setAdapters(boolean on) {
        adaptersDisabled = !on;
        loras.values().forEach(l -> l.setEnabled(on));
        originals.replaceAll((p, other) -> p.swapValue(other));
    }

    /** Converts every frozen parameter of the model to {@code dtype}; adapters and modules to save stay F32. */
    void frozenBaseTo(DType dtype) {
        try (var noGrad = GradMode.noGrad()) {
            for (Parameter p : model.parameters()) {
                if (!p.requiresGrad() && p.value().dtype() != dtype) p.set(p.value().to(dtype));
            }
        }
    }

    /**
     * Merges every adapter into its layer's weight, removes the adapters, makes the parameters it froze trainable
     * again (those that are F32) and returns the model; {@code modules_to_save} keep their trained weights.
     */
    PreTrainedModel mergeAndUnload() {
        requireLoaded();
        if (adaptersDisabled) throw new IllegalStateException("mergeAndUnload: the adapters are disabled");
        loras.forEach((name, layer) -> layer.mergeAndRemove(name));
        for (Parameter p : frozenByAdapter) if (p.value().dtype().isCompute()) p.requiresGrad(true);
        unloaded = true;
        return model;
    }

    /** The adapter's tensors under PEFT's saved names (see {@link AdapterModel#adapterStateDict}). */
    Map<String, Tensor> adapterStateDict(boolean embeddingLayers) {
        requireLoaded();
        Map<String, Tensor> out = new LinkedHashMap<>();
        adapterParameters().forEach((name, p) -> out.put(name, p.value().detach()));
        if (embeddingLayers) embeddings().forEach((name, p) -> out.put(PeftModel.PREFIX + name, p.value().detach()));
        return out;
    }

    /** Every adapter and {@code modules_to_save} parameter under its saved name ({@code base_model.model.<name>}). */
    private Map<String, Parameter> adapterParameters() {
        Map<String, Parameter> out = new LinkedHashMap<>();
        loras.forEach((name, l) -> {
            out.put(PeftModel.PREFIX + name + ".lora_A.weight", l.loraA());
            out.put(PeftModel.PREFIX + name + ".lora_B.weight", l.loraB());
        });
        saved.forEach((name, p) -> out.put(PeftModel.PREFIX + name, p));
        return out;
    }

    /** Copies an adapter state dict into the adapters (see {@link AdapterModel#loadAdapterStateDict}). */
    void loadAdapterStateDict(Map<String, Tensor> state) {
        requireLoaded();
        Map<String, Parameter> required = adapterParameters(), owned = new LinkedHashMap<>(required);
        embeddings().forEach((name, p) -> owned.putIfAbsent(PeftModel.PREFIX + name, p));
        for (var e : state.entrySet()) {
            Parameter p = owned.get(e.getKey());
            if (p == null) throw new IllegalArgumentException("loadAdapterStateDict: key " + e.getKey()
                    + " names no adapter, module to save or embedding of this model");
            if (!Arrays.equals(p.shape(), e.getValue().shape())) {
                throw new IllegalArgumentException("loadAdapterStateDict: key " + e.getKey() + " has shape "
                        + e.getValue().shapeString() + " but the model's is " + Arrays.toString(p.shape()));
            }
        }
        for (String key : required.keySet()) {
            if (!state.containsKey(key)) throw new IllegalArgumentException("loadAdapterStateDict: lacks key " + key);
        }
        try (var noGrad = GradMode.noGrad()) {
            state.forEach((key, t) -> {
                Parameter p = owned.get(key);
                p.set(t.to(p.value().dtype()).contiguous());
            });
        }
    }

    /**
     * Writes the adapter folder, the embeddings included when the vocabulary changed since injection or differs from
     * the one of {@code base_model_name_or_path} (PEFT's {@code save_embedding_layers="auto"}).
     */
    void save(Path dir) throws IOException {
        save(dir, AdapterFiles.vocabChanged(config, model.config().vocabSize(), vocabAtInjection));
    }

    void save(Path dir, boolean saveEmbeddingLayers) throws IOException {
        AdapterFiles.save(dir, config.toBuilder().inferenceMode(true).build(), adapterStateDict(saveEmbeddingLayers));
    }

    /** PEFT's {@code get_nb_trainable_parameters}: trainable and all parameter counts, each parameter once. */
    long[] trainableAndAllParameters() {
        long trainable = 0, all = 0;
        for (Parameter p : parameters()) {
            all += p.numel();
            if (p.requiresGrad()) trainable += p.numel();
        }
        return new long[] {trainable, all};
    }

    /** PEFT's {@code print_trainable_parameters} line. */
    String trainableParametersSummary() {
        long[] n = trainableAndAllParameters();
        return String.format(java.util.Locale.ROOT, "trainable params: %,d || all params: %,d || trainable%%: %.4f",
                n[0], n[1], 100.0 * n[0] / n[1]);
    }

    /** Fails once {@link #mergeAndUnload()} has handed the model back. */
    void requireLoaded() {
        if (unloaded) throw new IllegalStateException("PeftModel: mergeAndUnload() already returned the base model");
    }

    /** The embeddings PEFT saves with a resized vocabulary: a causal LM's input and output ones, else none. */
    private Map<String, Parameter> embeddings() {
        return model instanceof PreTrainedCausalLM lm ? AdapterFiles.embeddingNames(lm) : Map.of();
    }

    /**
     * The parameters of the modules {@code names} selects (matched like target modules) by their dotted name in
     * {@code model}; a list that matches no module fails. Null selects none.
     */
    static Map<String, Parameter> modulesToSave(PreTrainedModel model, List<String> names) {
        Map<String, Parameter> out = new LinkedHashMap<>();
        if (names == null) return out;
        TargetModules match = TargetModules.names(names);
        List<String> found = new ArrayList<>();
        for (var m : model.namedModules().entrySet()) {
            if (m.getKey().isEmpty() || !match.matches(m.getKey())) continue;
            found.add(m.getKey());
            m.getValue().namedParameters().forEach((n, p) -> out.put(m.getKey() + "." + n, p));
        }
        if (found.isEmpty()) {
            throw new IllegalArgumentException("modules_to_save " + names + " matched no module of the "
                    + model.config().modelType() + " model");
        }
        return out;
    }
}
