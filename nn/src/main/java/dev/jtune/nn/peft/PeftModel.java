package dev.jtune.nn.peft;

import dev.jtune.core.DType;
import dev.jtune.core.Generator;
import dev.jtune.core.Tensor;
import dev.jtune.core.autograd.GradMode;
import dev.jtune.nn.KVCache;
import dev.jtune.nn.Layers.Conv1D;
import dev.jtune.nn.Module;
import dev.jtune.nn.ModelConfig;
import dev.jtune.nn.Parameter;
import dev.jtune.nn.PreTrainedCausalLM;
import java.io.IOException;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Collections;
import java.util.IdentityHashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;

/**
 * A causal LM with LoRA adapters, as PEFT's {@code PeftModel} around a {@code LoraModel}: the adapters are injected
 * into the base model's layers in place, the base is frozen, and this model is the base under the names
 * {@code base_model.model.*} (so an adapter's parameter is {@code base_model.model.<layer>.lora_A.weight}, PEFT's
 * name in memory without the adapter name). It is a {@link PreTrainedCausalLM}: it computes the base's logits with the
 * adapters, and a trainer trains what requires grad (the adapters and {@code modules_to_save}).
 *
 * <pre>{@code
 * PeftModel peft = PeftModel.getPeftModel(model, LoraConfig.builder().r(8).loraAlpha(16).targetModules("c_attn").build());
 * ... train peft ...
 * peft.savePretrained(dir);                      // adapter_config.json + adapter_model.safetensors, PEFT's layout
 * PreTrainedCausalLM merged = peft.mergeAndUnload();
 * }</pre>
 */
public final class PeftModel extends PreTrainedCausalLM {

    /** The prefix of every saved tensor name. */
    public static final String PREFIX = "base_model.model.";
    /** The weights file of an adapter folder (PEFT's {@code SAFETENSORS_WEIGHTS_NAME}). */
    public static final String WEIGHTS_NAME = AdapterFiles.WEIGHTS;
    /** The configuration file of an adapter folder (PEFT's {@code CONFIG_NAME}). */
    public static final String CONFIG_NAME = LoraConfigJson.FILE;

    private final PreTrainedCausalLM base;
    private final LoraConfig config;
    private final Map<String, LoraLayer> loras;
    private final Map<String, Parameter> saved;   // modules_to_save parameters by name in the base
    private final Map<Parameter, Tensor> originals = new IdentityHashMap<>();
    private final Set<Parameter> frozenByAdapter = Collections.newSetFromMap(new IdentityHashMap<>());
    private final Generator loraDropout;
    private final int vocabAtInjection;
    private boolean adaptersDisabled;
    private boolean unloaded;

    private PeftModel(PreTrainedCausalLM base, LoraConfig requested, long seed) {
        super(base.config());
        this.base = base;
        TargetModules targets = requested.targetModules() != null ? requested.targetModules()
                : TargetModules.defaultFor(base.config().modelType());
        Map<String, Module> layers = TargetModules.resolve(base, targets, requested.excludeModules());
        saved = modulesToSave(base, requested.modulesToSave());
        boolean conv = layers.values().stream().allMatch(m -> m instanceof Conv1D);
        config = requested.toBuilder().targetModules(targets.isAllLinear() ? TargetModules.lastParts(layers.keySet())
                : targets).fanInFanOut(conv).build();
        vocabAtInjection = base.config().vocabSize();

        for (Parameter p : base.parameters()) {
            if (p.requiresGrad()) frozenByAdapter.add(p);
            p.requiresGrad(false);
        }
        Generator init = new Generator(seed);
        loraDropout = base.dropoutGenerator() != null ? base.dropoutGenerator() : new Generator(seed + 1);
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
        registerModule("base_model", new Wrapper(base));
    }

    /** PEFT's {@code LoraModel}: holds the base under {@code model}, which puts {@code base_model.model.} in names. */
    private static final class Wrapper extends Module {
        Wrapper(PreTrainedCausalLM base) {
            registerModule("model", base);
        }
    }

    /**
     * Injects LoRA adapters into {@code model} as {@code config} says (A drawn from seed 0), freezes every base
     * parameter, and returns the model with adapters, as PEFT's {@code get_peft_model}.
     */
    public static PeftModel getPeftModel(PreTrainedCausalLM model, LoraConfig config) {
        return getPeftModel(model, config, 0);
    }

    /** {@link #getPeftModel(PreTrainedCausalLM, LoraConfig)} with A (and a random B) drawn from {@code seed}. */
    public static PeftModel getPeftModel(PreTrainedCausalLM model, LoraConfig config, long seed) {
        if (model instanceof PeftModel) throw new IllegalArgumentException("getPeftModel: the model already has adapters");
        return new PeftModel(model, config, seed);
    }

    /**
     * Loads the adapter folder {@code dir} ({@code adapter_config.json}, {@code adapter_model.safetensors}) onto
     * {@code model}, as PEFT's {@code PeftModel.from_pretrained}: every tensor is checked against the model first (a
     * name or shape that does not fit fails in one line naming the file and the key, with the model unchanged); when
     * the folder carries a token embedding of another vocabulary size (a tokenizer with added tokens saved beside it),
     * the base's embeddings are resized to it first. With {@code trainable} false the adapters are frozen
     * ({@code inference_mode}).
     */
    public static PeftModel fromPretrained(PreTrainedCausalLM model, Path dir, boolean trainable) throws IOException {
        LoraConfig config = LoraConfigJson.read(dir).toBuilder().inferenceMode(!trainable).build();
        return AdapterFiles.load(model, dir, config);
    }

    /** The configuration as applied: target modules resolved, {@code fan_in_fan_out} as the layers force it. */
    public LoraConfig peftConfig() {
        return config;
    }

    /** The base model (with the adapters injected). */
    public PreTrainedCausalLM baseModel() {
        return base;
    }

    /** The adapters by the dotted name of the layer they adapt ({@code transformer.h.0.attn.c_attn}). */
    public Map<String, LoraLayer> loraLayers() {
        return Collections.unmodifiableMap(loras);
    }

    /** The parameters of {@code modules_to_save} by their name in the base model. */
    Map<String, Parameter> modulesToSave() {
        return saved;
    }

    /** Freezes or unfreezes every adapter's A and B. */
    void trainableAdapters(boolean mode) {
        for (LoraLayer l : loras.values()) {
            l.loraA().requiresGrad(mode);
            l.loraB().requiresGrad(mode);
        }
    }

    /**
     * Turns the adapters off until the returned scope closes, as PEFT's {@code with model.disable_adapter():}: the
     * model then computes exactly the base model's function (and {@code modules_to_save} their original weights).
     */
    public AdapterScope disableAdapter() {
        if (adaptersDisabled) throw new IllegalStateException("disableAdapter: the adapters are already disabled");
        setAdapters(false);
        return () -> setAdapters(true);
    }

    /** What {@link #disableAdapter()} returns: closing it turns the adapters back on. */
    @FunctionalInterface
    public interface AdapterScope extends AutoCloseable {
        @Override
        void close();
    }

    private void setAdapters(boolean on) {
        adaptersDisabled = !on;
        loras.values().forEach(l -> l.setEnabled(on));
        originals.replaceAll((p, other) -> p.swapValue(other));
    }

    /**
     * Converts every frozen base parameter to {@code dtype} (BF16: half the memory of the frozen base), as loading a
     * base with {@code torch_dtype=torch.bfloat16} does; adapters, their gradients and optimizer state stay F32.
     * Layers compute with an F32 copy of each BF16 weight made per use. Returns this.
     */
    public PeftModel frozenBaseTo(DType dtype) {
        try (var noGrad = GradMode.noGrad()) {
            for (Parameter p : base.parameters()) {
                if (!p.requiresGrad() && p.value().dtype() != dtype) p.set(p.value().to(dtype));
            }
        }
        return this;
    }

    /**
     * Merges every adapter into its layer's weight ({@code W += B A scaling}, transposed for a Conv1D), removes the
     * adapters and returns the plain base model in its own layout and names, as PEFT's {@code merge_and_unload};
     * {@code modules_to_save} keep their trained weights. Parameters this model froze are trainable again (those that
     * are F32). This model is unusable afterwards.
     */
    public PreTrainedCausalLM mergeAndUnload() {
        requireLoaded();
        if (adaptersDisabled) throw new IllegalStateException("mergeAndUnload: the adapters are disabled");
        loras.values().forEach(LoraLayer::mergeAndRemove);
        for (Parameter p : frozenByAdapter) if (p.value().dtype().isCompute()) p.requiresGrad(true);
        unloaded = true;
        return base;
    }

    /**
     * The adapter's tensors under PEFT's saved names: {@code base_model.model.<layer>.lora_A.weight [r, in]} and
     * {@code lora_B.weight [out, r]}, the {@code modules_to_save} parameters, and with {@code embeddingLayers} the input
     * and output embeddings (under each of their names when tied).
     */
    public Map<String, Tensor> adapterStateDict(boolean embeddingLayers) {
        requireLoaded();
        Map<String, Tensor> out = new LinkedHashMap<>();
        loras.forEach((name, l) -> {
            out.put(PREFIX + name + ".lora_A.weight", l.loraA().value().detach());
            out.put(PREFIX + name + ".lora_B.weight", l.loraB().value().detach());
        });
        saved.forEach((name, p) -> out.put(PREFIX + name, p.value().detach()));
        if (embeddingLayers) AdapterFiles.embeddingNames(base).forEach((name, p) -> out.put(PREFIX + name, p.value().detach()));
        return out;
    }

    /**
     * Copies the tensors of an adapter saved from this model ({@link #adapterStateDict}, as in
     * {@code adapter_model.safetensors}) into its adapters, {@code modules_to_save} and embeddings, as PEFT's
     * {@code set_peft_model_state_dict}: every adapter and {@code modules_to_save} tensor must be there, every key must
     * name one of them (or an embedding) with its shape; nothing changes unless all fit. A trainer resumes from it.
     */
    public void loadAdapterStateDict(Map<String, Tensor> state) {
        requireLoaded();
        Map<String, Parameter> owned = new LinkedHashMap<>(), required = new LinkedHashMap<>();
        loras.forEach((name, l) -> {
            required.put(PREFIX + name + ".lora_A.weight", l.loraA());
            required.put(PREFIX + name + ".lora_B.weight", l.loraB());
        });
        saved.forEach((name, p) -> required.put(PREFIX + name, p));
        owned.putAll(required);
        AdapterFiles.embeddingNames(base).forEach((name, p) -> owned.putIfAbsent(PREFIX + name, p));
        for (var e : state.entrySet()) {
            Parameter p = owned.get(e.getKey());
            if (p == null) throw new IllegalArgumentException("loadAdapterStateDict: key " + e.getKey()
                    + " names no adapter, module to save or embedding of this model");
            if (!java.util.Arrays.equals(p.shape(), e.getValue().shape())) {
                throw new IllegalArgumentException("loadAdapterStateDict: key " + e.getKey() + " has shape "
                        + e.getValue().shapeString() + " but the model's is " + java.util.Arrays.toString(p.shape()));
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
     * Writes {@code adapter_config.json} (inference_mode true) and {@code adapter_model.safetensors} into {@code dir},
     * as PEFT's {@code save_pretrained}. The embeddings are saved too when the vocabulary changed (PEFT's
     * {@code save_embedding_layers="auto"}): it differs from the size when the adapters were injected, or from the
     * {@code vocab_size} of {@code base_model_name_or_path}'s config.json when that folder exists.
     */
    @Override
    public void savePretrained(Path dir) throws IOException {
        savePretrained(dir, AdapterFiles.vocabChanged(config, base.config().vocabSize(), vocabAtInjection));
    }

    /** {@link #savePretrained(Path)} with the embeddings saved or not as {@code saveEmbeddingLayers} says. */
    public void savePretrained(Path dir, boolean saveEmbeddingLayers) throws IOException {
        AdapterFiles.save(dir, config.toBuilder().inferenceMode(true).build(), adapterStateDict(saveEmbeddingLayers));
    }

    /** PEFT's {@code get_nb_trainable_parameters}: trainable and all parameter counts, each parameter once. */
    public long[] trainableAndAllParameters() {
        long trainable = 0, all = 0;
        for (Parameter p : parameters()) {
            all += p.numel();
            if (p.requiresGrad()) trainable += p.numel();
        }
        return new long[] {trainable, all};
    }

    /** PEFT's {@code print_trainable_parameters} line. */
    public String trainableParametersSummary() {
        long[] n = trainableAndAllParameters();
        return String.format(java.util.Locale.ROOT, "trainable params: %,d || all params: %,d || trainable%%: %.4f",
                n[0], n[1], 100.0 * n[0] / n[1]);
    }

    private void requireLoaded() {
        if (unloaded) throw new IllegalStateException("PeftModel: mergeAndUnload() already returned the base model");
    }

    static Map<String, Parameter> modulesToSave(PreTrainedCausalLM base, List<String> names) {
        Map<String, Parameter> out = new LinkedHashMap<>();
        if (names == null) return out;
        TargetModules match = TargetModules.names(names);
        List<String> found = new ArrayList<>();
        for (var m : base.namedModules().entrySet()) {
            if (m.getKey().isEmpty() || !match.matches(m.getKey())) continue;
            found.add(m.getKey());
            m.getValue().namedParameters().forEach((n, p) -> out.put(m.getKey() + "." + n, p));
        }
        if (found.isEmpty()) {
            throw new IllegalArgumentException("modules_to_save " + names + " matched no module of the "
                    + base.config().modelType() + " model");
        }
        return out;
    }

    // ------------------------------------------------------------------------------------- the base model's API

    @Override
    public Tensor logits(Tensor inputIds, Tensor attentionMask, Tensor positionIds, KVCache cache, int logitsToKeep) {
        requireLoaded();
        return base.logits(inputIds, attentionMask, positionIds, cache, logitsToKeep);
    }

    @Override
    public Tensor hiddenStates(Tensor inputIds, Tensor attentionMask, Tensor positionIds, KVCache cache) {
        requireLoaded();
        return base.hiddenStates(inputIds, attentionMask, positionIds, cache);
    }

    /** The base's body name: a classifier built over this model shares the base's body, adapters included. */
    @Override
    public String bodyName() {
        return base.bodyName();
    }

    @Override
    public KVCache newCache() {
        return base.newCache();
    }

    @Override
    public ModelConfig config() {
        return base.config();
    }

    @Override
    public void setPadTokenId(int padTokenId) {
        base.setPadTokenId(padTokenId);
    }

    @Override
    public Generator dropoutGenerator() {
        return base.dropoutGenerator() != null ? base.dropoutGenerator() : config.loraDropout() > 0 ? loraDropout : null;
    }

    @Override
    public Parameter inputEmbeddings() {
        return base.inputEmbeddings();
    }

    @Override
    public Parameter outputEmbeddings() {
        return base.outputEmbeddings();
    }

    @Override
    public int resizeTokenEmbeddings(int newSize) {
        return base.resizeTokenEmbeddings(newSize);
    }
}
