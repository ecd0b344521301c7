package dev.jtune.bench.model;

import dev.jtune.core.DType;
import dev.jtune.core.backend.Backends;
import dev.jtune.nn.Parameter;
import dev.jtune.nn.PreTrainedCausalLM;
import dev.jtune.nn.peft.LoraConfig;
import dev.jtune.nn.peft.PeftModel;
import dev.jtune.train.optim.AdamW;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;

/** The LoRA side of the step harnesses: adapters on a frozen base (bf16 by default) and AdamW over what trains. */
final class LoraSetup {

    private LoraSetup() {}

    /** {@code model} with rank-{@code r} adapters (alpha 2r) on {@code targets} (null: the default), base in {@code base}. */
    static PeftModel apply(PreTrainedCausalLM model, int r, List<String> targets, DType base) {
        LoraConfig.Builder b = LoraConfig.builder().r(r).loraAlpha(2 * r);
        if (targets != null) b.targetModules(targets.toArray(String[]::new));
        // A bf16 base was drawn in F32 and rounded weight by weight; the pool caches those draws, sizes a frozen base
        // never asks for again (no weight gradients): drop them and collect before the steps.
        Backends.current().buffers().emptyCache();
        System.gc();
        PeftModel peft = PeftModel.getPeftModel(model, b.build()).frozenBaseTo(base);
        System.out.printf(Locale.ROOT, "LoRA r %d on %d layers, frozen base %s: %s%n", r, peft.loraLayers().size(), base,
                peft.trainableParametersSummary());
        return peft;
    }

    /** torch.optim.AdamW(lr=1e-4, betas=(0.9, 0.999), eps=1e-8, weight_decay=0) over the parameters that train. */
    static AdamW adamW(PreTrainedCausalLM model) {
        Map<String, Parameter> trainable = new LinkedHashMap<>();
        model.namedParameters().forEach((name, p) -> {
            if (p.requiresGrad()) trainable.put(name, p);
        });
        return new AdamW(List.of(new AdamW.ParamGroup(trainable, 0)), 1e-4, 0.9, 0.999, 1e-8);
    }

    /** {@code bf16} or {@code f32}. */
    static DType dtype(String name) {
        return switch (name) {
            case "bf16" -> DType.BF16;
            case "f32" -> DType.F32;
            default -> throw new IllegalArgumentException("a dtype must be bf16 or f32, got " + name);
        };
    }
}
