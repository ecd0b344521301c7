package dev.jtune.nn;

import dev.jtune.core.Generator;
import java.io.IOException;
import java.nio.file.Path;

/**
 * What every Hugging Face model offers whatever its head, as transformers' {@code PreTrainedModel}: a configuration
 * under {@code config.json}'s names, {@code savePretrained} into a directory transformers loads, and the generator
 * its dropout draws from. {@link PreTrainedCausalLM} and {@link SequenceClassificationModel} extend it; the trainer
 * trains either.
 */
public abstract class PreTrainedModel extends Module {

    private ModelConfig config;

    protected PreTrainedModel(ModelConfig config) {
        this.config = config;
    }

    /** The model's configuration (HF field names). */
    public ModelConfig config() {
        return config;
    }

    /** Replaces the configuration (after a change of vocabulary size, say). */
    protected void setConfig(ModelConfig config) {
        this.config = config;
    }

    /**
     * Sets {@code pad_token_id} in the config, as {@code model.config.pad_token_id = tokenizer.pad_token_id} in
     * transformers: it is saved to config.json, the trainer's default collator pads with it, and a sequence classifier
     * reads each row before it.
     */
    public void setPadTokenId(int padTokenId) {
        config = config.withPadTokenId(padTokenId);
    }

    /** The generator dropout masks are drawn from (a trainer seeds it and saves its state), or null without dropout. */
    public Generator dropoutGenerator() {
        return null;
    }

    /** Writes {@code config.json} and {@code model.safetensors} into {@code dir} (created if needed). */
    public abstract void savePretrained(Path dir) throws IOException;
}
