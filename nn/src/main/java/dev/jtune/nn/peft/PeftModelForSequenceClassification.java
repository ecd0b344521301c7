package dev.jtune.nn.peft;

import dev.jtune.core.DType;
import dev.jtune.core.Generator;
import dev.jtune.core.Tensor;
import dev.jtune.nn.ModelConfig;
import dev.jtune.nn.SequenceClassificationModel;
import dev.jtune.nn.SequenceClassifier;
import java.io.IOException;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;

/**
 * A sequence classifier (a reward model) with LoRA adapters, as PEFT's {@code PeftModelForSequenceClassification}:
 * the adapters are injected into the classifier's body, the body is frozen, and the head is trained in full as a
 * module to save. PEFT's {@code SEQ_CLS} rules: the configuration's {@code task_type} is {@code SEQ_CLS}, and its
 * {@code modules_to_save} become {@code ["classifier", "score"]} when none were given, else the given ones followed by
 * those two (matched by name suffix, so {@code classifier} simply matches nothing on GPT-2 or Llama). Names are the
 * classifier's under {@code base_model.model.}, so the saved adapter holds
 * {@code base_model.model.transformer.h.0.attn.c_attn.lora_A.weight} and {@code base_model.model.score.weight}.
 *
 * <pre>{@code
 * SequenceClassificationModel reward = AutoModelForSequenceClassification.fromPretrained(dir, 1, seed);
 * PeftModelForSequenceClassification peft = PeftModelForSequenceClassification.getPeftModel(reward,
 *         LoraConfig.builder().r(8).loraAlpha(16).build());
 * ... train peft with the RewardTrainer ...
 * peft.savePretrained(out);                                  // PEFT's adapter folder, task_type SEQ_CLS
 * SequenceClassificationModel merged = peft.mergeAndUnload(); // transformers' layout again
 * }</pre>
 */
public final class PeftModelForSequenceClassification extends SequenceClassifier implements AdapterModel {

    /** PEFT's {@code task_type} of a sequence classifier's adapter. */
    public static final String TASK_TYPE = "SEQ_CLS";
    /** The head names PEFT adds to {@code modules_to_save} for a classifier. */
    static final List<String> CLASSIFIER_MODULE_NAMES = List.of("classifier", "score");

    private final SequenceClassificationModel base;
    private final LoraModel lora;

    private PeftModelForSequenceClassification(SequenceClassificationModel base, LoraModel lora) {
        super(base.config());
        this.base = base;
        this.lora = registerModule("base_model", lora);
    }

    /**
     * Injects LoRA adapters into {@code model}'s body as {@code config} says (A drawn from seed 0), freezes the body,
     * makes the head trainable, and returns the classifier with adapters, as PEFT's {@code get_peft_model} with
     * {@code task_type="SEQ_CLS"}. The configuration's task type is set to {@code SEQ_CLS} (this class is that task).
     */
    public static PeftModelForSequenceClassification getPeftModel(SequenceClassificationModel model, LoraConfig config) {
        return getPeftModel(model, config, 0);
    }

    /** {@link #getPeftModel(SequenceClassificationModel, LoraConfig)} with A (and a random B) drawn from {@code seed}. */
    public static PeftModelForSequenceClassification getPeftModel(SequenceClassificationModel model, LoraConfig config,
                                                                  long seed) {
        return new PeftModelForSequenceClassification(model, new LoraModel(model, withHead(config), seed));
    }

    /**
     * Loads the adapter folder {@code dir} onto {@code model}, as PEFT's {@code PeftModel.from_pretrained} for a
     * classifier: the folder's {@code task_type} must be {@code SEQ_CLS}, and every tensor is checked against the
     * model first (a name or shape that does not fit fails in one line naming the file and the key, with the model
     * unchanged). With {@code trainable} false the adapters and the head are frozen ({@code inference_mode}).
     */
    public static PeftModelForSequenceClassification fromPretrained(SequenceClassificationModel model, Path dir,
                                                                    boolean trainable) throws IOException {
        LoraConfig config = withHead(AdapterFiles.readConfig(dir, TASK_TYPE, trainable));
        return new PeftModelForSequenceClassification(model, AdapterFiles.load(model, dir, config));
    }

    /**
     * PEFT's {@code SEQ_CLS} rule: {@code task_type} {@code SEQ_CLS} and the head names appended to
     * {@code modules_to_save} (PEFT appends them again to a list read back from a file, which then repeats them;
     * jtune appends the missing ones only, which matches the same modules).
     */
    static LoraConfig withHead(LoraConfig config) {
        List<String> modules = new ArrayList<>(config.modulesToSave() == null ? List.of() : config.modulesToSave());
        for (String head : CLASSIFIER_MODULE_NAMES) if (!modules.contains(head)) modules.add(head);
        return config.toBuilder().taskType(TASK_TYPE).modulesToSave(modules).build();
    }

    @Override
    public LoraConfig peftConfig() {
        return lora.config();
    }

    /** The classifier (with the adapters injected). */
    public SequenceClassificationModel baseModel() {
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
    public PeftModelForSequenceClassification frozenBaseTo(DType dtype) {
        lora.frozenBaseTo(dtype);
        return this;
    }

    /**
     * Merges every adapter into its layer's weight, removes the adapters and returns the plain classifier (its head
     * with its trained weight), which saves in transformers' layout, as PEFT's {@code merge_and_unload}. This model
     * is unusable afterwards.
     */
    public SequenceClassificationModel mergeAndUnload() {
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

    @Override
    public void savePretrained(Path dir) throws IOException {
        lora.save(dir);
    }

    @Override
    public String trainableParametersSummary() {
        return lora.trainableParametersSummary();
    }

    // ------------------------------------------------------------------------------------- the classifier's API

    @Override
    public Tensor logits(Tensor inputIds, Tensor attentionMask) {
        lora.requireLoaded();
        return base.logits(inputIds, attentionMask);
    }

    @Override
    public List<String> labels() {
        return base.labels();
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
}
