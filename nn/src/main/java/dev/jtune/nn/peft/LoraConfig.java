package dev.jtune.nn.peft;

import java.util.List;

/**
 * A LoRA adapter's configuration under PEFT's {@code LoraConfig} field names, with PEFT's defaults; read and written as
 * {@code adapter_config.json} by {@link LoraConfigJson}. Make one with {@link #builder()}.
 *
 * @param r                    the rank (PEFT default 8)
 * @param loraAlpha            the scale numerator: {@code scaling = lora_alpha / r}, or {@code / sqrt(r)} with
 *                             {@code use_rslora} (default 8)
 * @param loraDropout          dropout on the adapter's input only (default 0)
 * @param targetModules        the modules to adapt (null: the architecture's default, see {@link TargetModules})
 * @param excludeModules       modules never adapted, matched like the targets (null: none)
 * @param fanInFanOut          PEFT's flag for weights stored {@code [in, out]}; jtune takes it from the layer type
 *                             (GPT-2's Conv1D true, Linear false), as PEFT forces it, and only writes it back
 * @param bias                 which biases train: only {@code "none"} is supported
 * @param useRslora            rank-stabilised scaling {@code lora_alpha / sqrt(r)}
 * @param modulesToSave        modules trained in full besides the adapters (a resized embedding, a score head),
 *                             matched like the targets; null for none
 * @param initLoraWeights      true: A Kaiming-uniform, B zero (the adapter starts as a no-op); false: both random
 * @param baseModelNameOrPath  informational: the base model's folder or hub id
 * @param revision             informational: the base model's revision
 * @param taskType             {@code CAUSAL_LM} (a causal LM's adapter, or null) or {@code SEQ_CLS} (a sequence
 *                             classifier's, whose {@code modules_to_save} then hold its head)
 * @param inferenceMode        true when the adapter is loaded for inference only (always true in saved files)
 * @param peftVersion          the PEFT version written into the file
 */
public record LoraConfig(int r, double loraAlpha, double loraDropout, TargetModules targetModules,
                         TargetModules excludeModules, boolean fanInFanOut, String bias, boolean useRslora,
                         List<String> modulesToSave, boolean initLoraWeights, String baseModelNameOrPath,
                         String revision, String taskType, boolean inferenceMode, String peftVersion) {

    /** The PEFT release whose {@code adapter_config.json} layout jtune writes (keys and defaults of 0.20). */
    public static final String PEFT_VERSION = "0.20.1.dev0@5d602fdbff04c33c1c4de55cda9d4ae1d7cb7e40";

    /** PEFT's task types jtune has a model for: a causal LM's adapter and a sequence classifier's. */
    public static final List<String> TASK_TYPES = List.of("CAUSAL_LM", "SEQ_CLS");

    public LoraConfig {
        if (r <= 0) throw new IllegalArgumentException("LoraConfig: r must be positive, got " + r);
        if (!(loraDropout >= 0 && loraDropout < 1)) {
            throw new IllegalArgumentException("LoraConfig: lora_dropout must be in [0, 1), got " + loraDropout);
        }
        if (!Double.isFinite(loraAlpha)) throw new IllegalArgumentException("LoraConfig: lora_alpha must be finite");
        if (!"none".equals(bias)) {
            throw new IllegalArgumentException("LoraConfig: bias '" + bias + "' is not supported (jtune supports 'none')");
        }
        if (taskType != null && !TASK_TYPES.contains(taskType)) {
            throw new IllegalArgumentException("LoraConfig: task_type '" + taskType + "' is not supported " + TASK_TYPES);
        }
        modulesToSave = modulesToSave == null ? null : List.copyOf(modulesToSave);
    }

    /** A builder holding PEFT's defaults (r 8, lora_alpha 8, no dropout, the architecture's default targets). */
    public static Builder builder() {
        return new Builder();
    }

    /** A builder holding this configuration's values, to make a modified copy. */
    public Builder toBuilder() {
        return new Builder().r(r).loraAlpha(loraAlpha).loraDropout(loraDropout).targetModules(targetModules)
                .excludeModules(excludeModules).fanInFanOut(fanInFanOut).useRslora(useRslora)
                .modulesToSave(modulesToSave).initLoraWeights(initLoraWeights)
                .baseModelNameOrPath(baseModelNameOrPath).revision(revision).taskType(taskType)
                .inferenceMode(inferenceMode).peftVersion(peftVersion);
    }

    /** The factor of the adapter's output: {@code lora_alpha / r}, or {@code lora_alpha / sqrt(r)} with rsLoRA. */
    public double scaling() {
        return useRslora ? loraAlpha / Math.sqrt(r) : loraAlpha / r;
    }

    /** Builds a {@link LoraConfig}; every field starts at PEFT's default (task_type CAUSAL_LM). */
    public static final class Builder {
        private int r = 8;
        private double loraAlpha = 8, loraDropout = 0;
        private TargetModules targetModules, excludeModules;
        private boolean fanInFanOut, useRslora, initLoraWeights = true, inferenceMode;
        private List<String> modulesToSave;
        private String baseModelNameOrPath, revision, taskType = "CAUSAL_LM", peftVersion = PEFT_VERSION;

        private Builder() {}

        public Builder r(int v) { r = v; return this; }
        public Builder loraAlpha(double v) { loraAlpha = v; return this; }
        public Builder loraDropout(double v) { loraDropout = v; return this; }
        public Builder targetModules(TargetModules v) { targetModules = v; return this; }

        /** Target modules by name (exact or {@code .}-suffix), or {@code "all-linear"} alone. */
        public Builder targetModules(String... names) {
            return targetModules(names.length == 1 && names[0].equals(TargetModules.ALL_LINEAR)
                    ? TargetModules.allLinear() : TargetModules.names(List.of(names)));
        }

        public Builder excludeModules(TargetModules v) { excludeModules = v; return this; }
        public Builder fanInFanOut(boolean v) { fanInFanOut = v; return this; }
        public Builder useRslora(boolean v) { useRslora = v; return this; }
        public Builder modulesToSave(List<String> v) { modulesToSave = v; return this; }
        public Builder initLoraWeights(boolean v) { initLoraWeights = v; return this; }
        public Builder baseModelNameOrPath(String v) { baseModelNameOrPath = v; return this; }
        public Builder revision(String v) { revision = v; return this; }
        public Builder taskType(String v) { taskType = v; return this; }
        public Builder inferenceMode(boolean v) { inferenceMode = v; return this; }
        public Builder peftVersion(String v) { peftVersion = v; return this; }

        public LoraConfig build() {
            return new LoraConfig(r, loraAlpha, loraDropout, targetModules, excludeModules, fanInFanOut, "none",
                    useRslora, modulesToSave, initLoraWeights, baseModelNameOrPath, revision, taskType, inferenceMode,
                    peftVersion);
        }
    }
}
