package dev.jtune.app;

import dev.jtune.core.DType;
import dev.jtune.nn.peft.LoraConfig;
import java.nio.file.Path;
import java.util.List;
import picocli.CommandLine.Option;

/**
 * The LoRA flags of {@code finetune}, {@code dpo} and {@code reward-train}, PEFT's {@code LoraConfig} fields in kebab
 * case: {@code --lora-r} turns LoRA on,
 * {@code --adapter} continues a saved adapter instead (its own {@code adapter_config.json} then rules).
 */
final class LoraOptions {

    @Option(names = "--lora-r", paramLabel = "R",
            description = "Train a LoRA adapter of rank R instead of every weight; saves PEFT's adapter folder.")
    Integer r;

    @Option(names = "--lora-alpha", paramLabel = "ALPHA", description = "Adapter scale numerator: scaling = alpha / r (8).")
    Double alpha;

    @Option(names = "--lora-dropout", paramLabel = "P", description = "Dropout on the adapters' input (0).")
    Double dropout;

    @Option(names = "--lora-target-modules", paramLabel = "NAMES", split = ",",
            description = "Layers to adapt, by name or dotted suffix, or all-linear (GPT-2: c_attn; Llama: q_proj,v_proj).")
    List<String> targetModules;

    @Option(names = "--use-rslora", description = "Rank-stabilised scale alpha / sqrt(r).")
    boolean useRslora;

    @Option(names = "--modules-to-save", paramLabel = "NAMES", split = ",",
            description = "Modules trained in full besides the adapters and saved with them (e.g. wte).")
    List<String> modulesToSave;

    @Option(names = "--adapter", paramLabel = "DIR",
            description = "Continue training this adapter folder (its config and tokenizer; for finetune, --model defaults to "
                    + "its base).")
    Path adapter;

    @Option(names = "--base-dtype", paramLabel = "DTYPE",
            description = "With LoRA: keep the frozen base weights in f32 (default) or bf16 (half the memory).")
    String baseDtype;

    /** Whether a LoRA flag or {@code --adapter} was given. */
    boolean enabled() {
        return r != null || adapter != null;
    }

    /** The configuration of a new adapter ({@code --lora-r} given), with its base recorded; null otherwise. */
    LoraConfig config(Path base) {
        boolean tuned = alpha != null || dropout != null || targetModules != null || useRslora || modulesToSave != null;
        if (adapter != null && (r != null || tuned)) {
            throw new IllegalArgumentException("--adapter continues an adapter with its own adapter_config.json: "
                    + "drop the --lora-* flags");
        }
        if (r == null) {
            if (tuned) throw new IllegalArgumentException("the LoRA flags need --lora-r (the rank), e.g. --lora-r 8");
            if (baseDtype != null && adapter == null) throw new IllegalArgumentException("--base-dtype needs --lora-r or --adapter");
            return null;
        }
        LoraConfig.Builder b = LoraConfig.builder().r(r).useRslora(useRslora).modulesToSave(modulesToSave)
                .baseModelNameOrPath(base.toString());
        if (alpha != null) b.loraAlpha(alpha);
        if (dropout != null) b.loraDropout(dropout);
        if (targetModules != null) b.targetModules(targetModules.toArray(String[]::new));
        return b.build();
    }

    /** The dtype of the frozen base: F32 unless {@code --base-dtype bf16}. */
    DType baseDtype() {
        if (baseDtype == null) return DType.F32;
        return switch (baseDtype.toLowerCase(java.util.Locale.ROOT)) {
            case "f32", "float32" -> DType.F32;
            case "bf16", "bfloat16" -> DType.BF16;
            default -> throw new IllegalArgumentException("--base-dtype must be f32 or bf16, got " + baseDtype);
        };
    }
}
