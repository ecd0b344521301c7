package dev.jtune.nn.peft;

import dev.jtune.core.DType;
import dev.jtune.core.Tensor;
import java.io.IOException;
import java.nio.file.Path;
import java.util.Map;

/**
 * A model with LoRA adapters on a frozen base, as PEFT's {@code PeftModel} whatever the task: {@link PeftModel} (a
 * causal LM) or {@link PeftModelForSequenceClassification} (a reward model). What a trainer needs to checkpoint and
 * resume one (its adapter's tensors) and what a user does with one (disable, summarise, save) are the same for both.
 */
public interface AdapterModel {

    /** The configuration as applied: target modules resolved, {@code fan_in_fan_out} as the layers force it. */
    LoraConfig peftConfig();

    /** The adapters by the dotted name of the layer they adapt ({@code transformer.h.0.attn.c_attn}). */
    Map<String, LoraLayer> loraLayers();

    /**
     * The adapter's tensors under PEFT's saved names: {@code base_model.model.<layer>.lora_A.weight [r, in]} and
     * {@code lora_B.weight [out, r]}, the {@code modules_to_save} parameters under their plain names
     * ({@code base_model.model.score.weight}: PEFT drops the {@code modules_to_save.default} part), and with
     * {@code embeddingLayers} a causal LM's input and output embeddings (under each of their names when tied).
     */
    Map<String, Tensor> adapterStateDict(boolean embeddingLayers);

    /**
     * Copies the tensors of an adapter saved from this model ({@link #adapterStateDict}, as in
     * {@code adapter_model.safetensors}) into its adapters, {@code modules_to_save} and embeddings, as PEFT's
     * {@code set_peft_model_state_dict}: every adapter and {@code modules_to_save} tensor must be there, every key must
     * name one of them (or an embedding) with its shape; nothing changes unless all fit. A trainer resumes from it.
     */
    void loadAdapterStateDict(Map<String, Tensor> state);

    /**
     * Writes {@code adapter_config.json} (inference_mode true) and {@code adapter_model.safetensors} into {@code dir},
     * as PEFT's {@code save_pretrained}.
     */
    void savePretrained(Path dir) throws IOException;

    /**
     * Turns the adapters off until the returned scope closes, as PEFT's {@code with model.disable_adapter():}: the
     * model then computes exactly the base model's function (and {@code modules_to_save} their original weights).
     */
    AdapterScope disableAdapter();

    /**
     * Converts every frozen base parameter to {@code dtype} (BF16: half the memory of the frozen base), as loading a
     * base with {@code torch_dtype=torch.bfloat16} does; adapters, {@code modules_to_save}, their gradients and
     * optimizer state stay F32. Layers compute with an F32 copy of each BF16 weight made per use.
     */
    AdapterModel frozenBaseTo(DType dtype);

    /** PEFT's {@code print_trainable_parameters} line. */
    String trainableParametersSummary();

    /** What {@link #disableAdapter()} returns: closing it turns the adapters back on. */
    @FunctionalInterface
    interface AdapterScope extends AutoCloseable {
        @Override
        void close();
    }
}
