package dev.jtune.nn.peft;

import dev.jtune.core.DType;
import dev.jtune.core.Generator;
import dev.jtune.core.Tensor;
import dev.jtune.nn.KVCache;
import dev.jtune.nn.ModelConfig;
import dev.jtune.nn.Parameter;
import dev.jtune.nn.PreTrainedCausalLM;
import java.io.IOException;
import java.nio.file.Path;
import java.util.Map;

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
public final class PeftModel extends PreTrainedCausalLM implements AdapterModel {

    /** The prefix of every saved tensor name. */
    public static final String PREFIX = "base_model.model.";
    /** The weights file of an adapter folder (PEFT's {@code SAFETENSORS_WEIGHTS_NAME}). */
    public static final String WEIGHTS_NAME = AdapterFiles.WEIGHTS;
    /** The configuration file of an adapter folder (PEFT's {@code CONFIG_NAME}). */
    public static final String CONFIG_NAME = LoraConfigJson.FILE;
    /** PEFT's {@code task_type} of a causal LM's adapter. */
    public static final String TASK_TYPE = "CAUSAL_LM";

    private final PreTrainedCausalLM base;
    private final LoraModel lora;

    private PeftModel(PreTrainedCausalLM base, LoraModel lora) {
        super(base.config());
        this.base = base;
        this.lora = registerModule("base_model", lora);
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
        if (config.taskType() != null && !config.taskType().equals(TASK_TYPE)) {
            throw new IllegalArgumentException("getPeftModel: task_type " + config.taskType() + " is not a causal LM's ("
                    + TASK_TYPE + "); a SEQ_CLS adapter goes on a classifier (PeftModelForSequenceClassification)");
        }
        return new PeftModel(model, new LoraModel(model, config, seed));
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
        if (model instanceof PeftModel) throw new IllegalArgumentException("fromPretrained: the model already has adapters");
        LoraConfig config = AdapterFiles.readConfig(dir, TASK_TYPE, trainable);
        return new PeftModel(model, AdapterFiles.load(model, dir, config));
    }

    /**
     * Whether the adapter folder {@code dir} saves LoRA matrices only: no embedding or {@code modules_to_save} module,
     * which {@link #fromPretrained} would load into the base's own parameters (false without a weights file).
     */
    public static boolean savesOnlyLoraMatrices(Path dir) throws IOException {
        return AdapterFiles.savesOnlyLoraMatrices(dir);
    }

    @Override
    public LoraConfig peftConfig() {
        return lora.config();
    }

    /** The base model (with the adapters injected). */
    public PreTrainedCausalLM baseModel() {
        return base;
    }

    @Override
    public Map<String, LoraLayer> loraLayers() {
        return lora.loraLayers();
    }

    @Override
    public AdapterScope disableAdapter() {
        return lora.disableAdapter();
    }

    /** {@inheritDoc} Returns this. */
    @Override
    public PeftModel frozenBaseTo(DType dtype) {
        lora.frozenBaseTo(dtype);
        return this;
    }

    /**
     * Merges every adapter into its layer's weight ({@code W += B A scaling}, transposed for a Conv1D), removes the
     * adapters and returns the plain base model in its own layout and names, as PEFT's {@code merge_and_unload};
     * {@code modules_to_save} keep their trained weights. Parameters this model froze are trainable again (those that
     * are F32). This model is unusable afterwards.
     */
    public PreTrainedCausalLM mergeAndUnload() {
        lora.mergeAndUnload();
        return base;
    }

    @Override
    public Map<String, Tensor> adapterStateDict(boolean embeddingLayers) {
        return lora.adapterStateDict(embeddingLayers);
    }

    @Override
    public void loadAdapterStateDict(Map<String, Tensor> state) {
        lora.loadAdapterStateDict(state);
    }

    /**
     * {@inheritDoc} The embeddings are saved too when the vocabulary changed (PEFT's
     * {@code save_embedding_layers="auto"}): it differs from the size when the adapters were injected, or from the
     * {@code vocab_size} of {@code base_model_name_or_path}'s config.json when that folder exists.
     */
    @Override
    public void savePretrained(Path dir) throws IOException {
        lora.save(dir);
    }

    /** {@link #savePretrained(Path)} with the embeddings saved or not as {@code saveEmbeddingLayers} says. */
    public void savePretrained(Path dir, boolean saveEmbeddingLayers) throws IOException {
        lora.save(dir, saveEmbeddingLayers);
    }

    /** PEFT's {@code get_nb_trainable_parameters}: trainable and all parameter counts, each parameter once. */
    public long[] trainableAndAllParameters() {
        return lora.trainableAndAllParameters();
    }

    @Override
    public String trainableParametersSummary() {
        return lora.trainableParametersSummary();
    }

    private void requireLoaded() {
        lora.requireLoaded();
    }

    // ------------------------------------------------------------------------------------- the base model's API

    @Override
    public Tensor hiddenStates(Tensor inputIds, Tensor attentionMask, Tensor positionIds, KVCache cache) {
        requireLoaded();
        return base.hiddenStates(inputIds, attentionMask, positionIds, cache);
    }

    @Override
    public Tensor outputHead(Tensor hidden) {
        requireLoaded();
        return base.outputHead(hidden);
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
        return base.dropoutGenerator() != null ? base.dropoutGenerator()
                : lora.config().loraDropout() > 0 ? lora.loraDropout() : null;
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
