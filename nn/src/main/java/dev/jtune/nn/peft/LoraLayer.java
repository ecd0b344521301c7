package dev.jtune.nn.peft;

import dev.jtune.core.DType;
import dev.jtune.core.Generator;
import dev.jtune.core.Tensor;
import dev.jtune.core.autograd.GradMode;
import dev.jtune.nn.Adapter;
import dev.jtune.nn.Layers.Conv1D;
import dev.jtune.nn.Layers.Dropout;
import dev.jtune.nn.Layers.Linear;
import dev.jtune.nn.Module;
import dev.jtune.nn.Parameter;

/**
 * A LoRA adapter on one Linear or Conv1D layer, as PEFT's {@code lora.Linear}: the layer computes
 * {@code base(x) + lora_B(lora_A(dropout(x))) * scaling}, with {@code lora_A.weight [r, in]} and
 * {@code lora_B.weight [out, r]} for both layer types (a Conv1D stores its own weight {@code [in, out]}: PEFT's
 * {@code fan_in_fan_out}). The two layers and the dropout hang under the adapted layer as {@code lora_A},
 * {@code lora_B} and {@code lora_dropout}, so their parameters are named {@code <layer>.lora_A.weight} as in PEFT's
 * files.
 */
public final class LoraLayer implements Adapter {

    private final Module base;
    private final Linear loraA;
    private final Linear loraB;
    private final Dropout dropout;
    private final double dropoutP;
    private final double scaling;
    private final int in;
    private final int out;
    private boolean enabled = true;

    /**
     * Attaches an adapter of rank {@code r} to {@code base}.
     *
     * @param init      A (and with {@code initLoraWeights} false also B) is drawn from it
     * @param dropoutRng the generator of the dropout masks
     */
    LoraLayer(Module base, int r, double scaling, double dropoutP, boolean initLoraWeights, Generator init,
              Generator dropoutRng) {
        this.base = base;
        int[] w = baseWeight(base).shape();
        boolean conv = base instanceof Conv1D;
        in = conv ? w[0] : w[1];
        out = conv ? w[1] : w[0];
        this.scaling = scaling;
        this.dropoutP = dropoutP;
        loraA = new Linear(new Parameter(kaimingUniform(init, r, in)), null);      // (r, in)
        loraB = new Linear(new Parameter(initLoraWeights ? Tensor.zeros(out, r) : kaimingUniform(init, out, r)), null);
        dropout = new Dropout(dropoutP, dropoutRng);
        dropout.train(base.isTraining());
        loraA.train(base.isTraining());
        loraB.train(base.isTraining());
        base.addModule("lora_A", loraA);
        base.addModule("lora_B", loraB);
        base.addModule("lora_dropout", dropout);
        switch (base) {
            case Linear l -> l.setAdapter(this);
            case Conv1D c -> c.setAdapter(this);
            default -> throw new IllegalArgumentException("LoRA adapts Linear and Conv1D, not " + base.getClass().getSimpleName());
        }
    }

    /**
     * PEFT's init of A: {@code kaiming_uniform_(a=sqrt(5))}, which for a {@code [rows, fanIn]} weight is
     * {@code U(-1/sqrt(fanIn), 1/sqrt(fanIn))} (torch's default Linear init).
     */
    private static Tensor kaimingUniform(Generator g, int rows, int fanIn) {
        double bound = 1 / Math.sqrt(fanIn);
        return Tensor.rand(g, DType.F32, rows, fanIn).mul(2 * bound).sub(bound);
    }

    @Override
    public Tensor delta(Tensor x) {
        if (!enabled) return null;
        Tensor h = dropoutP > 0 ? dropout.forward(x) : x;   // (..., in)
        return loraB.forward(loraA.forward(h)).mul(scaling);  // (..., r) → (..., out)
    }

    /** {@code lora_A.weight [r, in]}. */
    public Parameter loraA() {
        return loraA.weight;
    }

    /** {@code lora_B.weight [out, r]}. */
    public Parameter loraB() {
        return loraB.weight;
    }

    public double scaling() {
        return scaling;
    }

    /** Whether the delta is added (false: the layer computes exactly its base output). */
    public boolean enabled() {
        return enabled;
    }

    void setEnabled(boolean enabled) {
        this.enabled = enabled;
    }

    /**
     * The weight delta in the base weight's layout, as PEFT's {@code get_delta_weight}: {@code B @ A * scaling}
     * {@code [out, in]} for a Linear, its transpose {@code [in, out]} for a Conv1D.
     */
    public Tensor deltaWeight() {
        try (var noGrad = GradMode.noGrad()) {
            Tensor d = loraB.weight.value().matmul(loraA.weight.value()).mul(scaling);  // (out, in)
            return base instanceof Conv1D ? d.t().contiguous() : d;
        }
    }

    /**
     * Adds {@link #deltaWeight()} into the base weight (in F32, rounded once to the weight's dtype, as PEFT's
     * {@code weight.data += delta_weight} on a bf16 weight) and detaches this adapter. A sum that is not finite in that
     * dtype (beyond F16's 65504) fails naming the layer {@code name}, which is then left as it was.
     */
    void mergeAndRemove(String name) {
        Parameter w = baseWeight(base);
        try (var noGrad = GradMode.noGrad()) {
            DType dtype = w.value().dtype();
            Tensor merged = w.value().to(DType.F32).add(deltaWeight()).to(dtype);
            double largest = merged.to(DType.F32).abs().max().item();
            if (!Double.isFinite(largest)) {
                throw new IllegalStateException("mergeAndUnload: " + name + "'s weight plus its LoRA delta holds "
                        + largest + " in " + dtype + (dtype == DType.F32 ? "" : " (merge in F32 to keep it)"));
            }
            w.set(merged);
        }
        remove();
    }

    /** Detaches this adapter from its layer, which computes its base output again. */
    void remove() {
        if (base instanceof Linear l) l.setAdapter(null);
        if (base instanceof Conv1D c) c.setAdapter(null);
        base.removeModule("lora_A");
        base.removeModule("lora_B");
        base.removeModule("lora_dropout");
    }

    /** The expected shapes {@code [r, in]} and {@code [out, r]} (for checking a loaded adapter). */
    int[][] shapes() {
        return new int[][] {loraA.weight.shape(), loraB.weight.shape()};
    }

    static Parameter baseWeight(Module m) {
        return switch (m) {
            case Linear l -> l.weight;
            case Conv1D c -> c.weight;
            default -> throw new IllegalArgumentException("LoRA adapts Linear and Conv1D, not " + m.getClass().getSimpleName());
        };
    }

    int in() {
        return in;
    }

    int out() {
        return out;
    }
}
