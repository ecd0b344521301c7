package dev.jtune.nn;

import dev.jtune.core.DType;
import dev.jtune.core.Functional;
import dev.jtune.core.Generator;
import dev.jtune.core.MemoryScope;
import dev.jtune.core.Tensor;
import dev.jtune.core.ops.LinearAlgebra;
import java.util.function.Supplier;
import java.util.function.UnaryOperator;

/** The basic layers: Linear, Embedding, LayerNorm, RMSNorm, Dropout (each a small {@link Module}). */
public final class Layers {

    /** The dtype new parameters are made in while {@link #withParameterDtype} builds a model; F32 otherwise. */
    private static final ScopedValue<DType> PARAMETER_DTYPE = ScopedValue.newInstance();

    private Layers() {}

    /**
     * One transformer block's forward pass, {@code block(x)}, in a memory scope of its own ({@link MemoryScope#scoped}):
     * the block's intermediates that backward does not read (and, without grad, all of them) are freed before the next
     * block runs. A KV cache's buffers, which the block writes and which outlive it, belong to the scope the cache was
     * made in.
     */
    public static Tensor blockForward(Tensor x, UnaryOperator<Tensor> block) {
        return MemoryScope.scoped(() -> block.apply(x));
    }

    /**
     * Whether a layer's weight is a frozen BF16/F16 one (a LoRA base in bf16) with a frozen bias: it then multiplies
     * through {@link FrozenMatmul}, which keeps no F32 copy of the weight for backward.
     */
    private static boolean frozenHalf(Parameter weight, Parameter bias) {
        return !weight.value().dtype().isCompute() && !weight.requiresGrad() && (bias == null || !bias.requiresGrad());
    }

    /**
     * A weight initialised like transformers' {@code _init_weights}: normal(0, std); zeros when {@code g} is null, for
     * a model whose weights a checkpoint is about to overwrite (drawing 0.5B normals would take longer than reading
     * the file, which is why transformers skips that init too).
     */
    public static Tensor normal(Generator g, double std, int... shape) {
        DType dtype = parameterDtype();
        if (g == null) return Tensor.zeros(dtype, shape);
        // Scaled in place: a scaled copy would leave the unscaled draw in the pool's cache, where a model used only for
        // generation never asks for a buffer that size again (GPT-2's wte: 154 MB of its peak RSS).
        Tensor drawn = Tensor.randn(g, DType.F32, shape).mul_(std);
        if (dtype == DType.F32) return drawn;
        Tensor stored = drawn.to(dtype);  // drawn in F32 (an F32 model's values, rounded), one weight at a time
        drawn.storage().release("rounded to the model's parameter dtype");
        return stored;
    }

    /**
     * What {@code build} returns, the layers it creates making their parameters in {@code dtype} (F32, BF16 or F16), as
     * transformers sets torch's default dtype while {@code from_pretrained(..., dtype=...)} builds a model. A BF16 or
     * F16 parameter is frozen ({@link Parameter}): a base for adapters, held at half the size, that a checkpoint stored
     * in that dtype fills without ever making an F32 copy.
     */
    public static <T> T withParameterDtype(DType dtype, Supplier<T> build) {
        if (dtype != DType.F32 && dtype != DType.BF16 && dtype != DType.F16) {
            throw new IllegalArgumentException("parameter dtype must be F32, BF16 or F16, got " + dtype);
        }
        return ScopedValue.where(PARAMETER_DTYPE, dtype).call(build::get);
    }

    private static DType parameterDtype() {
        return PARAMETER_DTYPE.orElse(DType.F32);
    }

    private static Parameter zeros(int size) {
        return new Parameter(Tensor.zeros(parameterDtype(), size));
    }

    private static Parameter ones(int size) {
        return new Parameter(Tensor.ones(parameterDtype(), size));
    }

    /**
     * {@code y = x W^T + b} with {@code weight [out, in]} (PyTorch's layout), plus an {@link Adapter}'s delta when one
     * is set.
     */
    public static final class Linear extends Module {
        public final Parameter weight;
        public final Parameter bias;
        private Adapter adapter;

        public Linear(int in, int out, boolean bias, Generator g, double std) {
            this(new Parameter(normal(g, std, out, in)), bias ? zeros(out) : null);
        }

        /** A linear layer over existing parameters (a tied output head shares the embedding's). */
        public Linear(Parameter weight, Parameter bias) {
            this.weight = registerParameter("weight", weight);
            this.bias = bias == null ? null : registerParameter("bias", bias);
        }

        public Tensor forward(Tensor x) {
            return Adapter.apply(adapter, x, in -> frozenHalf(weight, bias)
                    ? FrozenMatmul.apply(in, weight.value(), bias == null ? null : bias.value(), true)
                    : Functional.linear(in, weight.computeValue(), bias == null ? null : bias.computeValue()));
        }

        /** The adapter added to this layer's output, or null. */
        public Adapter adapter() {
            return adapter;
        }

        /** Sets (or with null removes) the adapter added to this layer's output. */
        public void setAdapter(Adapter adapter) {
            this.adapter = adapter;
        }
    }

    /**
     * HF GPT-2's {@code Conv1D}: a linear layer whose weight is stored {@code [in, out]} (the transpose of Linear), so
     * {@code y = x W + b}, plus an {@link Adapter}'s delta when one is set.
     */
    public static final class Conv1D extends Module {
        public final Parameter weight;
        public final Parameter bias;
        private Adapter adapter;

        public Conv1D(int in, int out, Generator g, double std) {
            weight = registerParameter("weight", new Parameter(normal(g, std, in, out)));
            bias = registerParameter("bias", zeros(out));
        }

        public Tensor forward(Tensor x) {
            return Adapter.apply(adapter, x, in -> frozenHalf(weight, bias)
                    ? FrozenMatmul.apply(in, weight.value(), bias.value(), false)
                    : LinearAlgebra.addmm(bias.computeValue(), in, weight.computeValue()));  // x @ W + b, one op
        }

        /**
         * {@code x @ W} plus the adapter's delta, without the bias: for a caller that fuses the bias into the next op
         * (GPT-2's c_fc bias inside its GELU).
         */
        public Tensor forwardWithoutBias(Tensor x) {
            return Adapter.apply(adapter, x, in -> frozenHalf(weight, null)
                    ? FrozenMatmul.apply(in, weight.value(), null, false) : in.matmul(weight.computeValue()));
        }

        /** The adapter added to this layer's output, or null. */
        public Adapter adapter() {
            return adapter;
        }

        /** Sets (or with null removes) the adapter added to this layer's output. */
        public void setAdapter(Adapter adapter) {
            this.adapter = adapter;
        }
    }

    /** A lookup table {@code weight [V, C]}. */
    public static final class Embedding extends Module {
        public final Parameter weight;

        public Embedding(int num, int dim, Generator g, double std) {
            weight = registerParameter("weight", new Parameter(normal(g, std, num, dim)));
        }

        public Tensor forward(Tensor ids) {
            Tensor w = weight.value();
            return w.dtype().isCompute() ? Functional.embedding(w, ids) : FrozenEmbedding.lookup(w, ids);
        }
    }

    /** Layer norm over the last dim with a learned scale and shift. */
    public static final class LayerNorm extends Module {
        public final Parameter weight;
        public final Parameter bias;
        private final double eps;

        public LayerNorm(int dim, double eps) {
            weight = registerParameter("weight", ones(dim));
            bias = registerParameter("bias", zeros(dim));
            this.eps = eps;
        }

        public Tensor forward(Tensor x) {
            return Functional.layerNorm(x, weight.computeValue(), bias.computeValue(), eps);
        }
    }

    /** RMS norm over the last dim with a learned scale (Llama). */
    public static final class RMSNorm extends Module {
        public final Parameter weight;
        private final double eps;

        public RMSNorm(int dim, double eps) {
            weight = registerParameter("weight", ones(dim));
            this.eps = eps;
        }

        public Tensor forward(Tensor x) {
            return Functional.rmsNorm(x, weight.computeValue(), eps);
        }
    }

    /**
     * Sets the probability of every {@link Dropout} of {@code model} to 0, as TRL's {@code disable_dropout_in_model}
     * (its trainers' {@code disable_dropout}); the config keeps its values.
     */
    public static void disableDropout(Module model) {
        model.namedModules().values().forEach(m -> {
            if (m instanceof Dropout d) d.p = 0;
        });
    }

    /** Dropout, active only in training mode, drawing masks from the given generator. */
    public static final class Dropout extends Module {
        private double p;
        private final Generator generator;

        public Dropout(double p, Generator generator) {
            this.p = p;
            this.generator = generator;
        }

        /** The probability of zeroing an element in training. */
        public double p() {
            return p;
        }

        public Tensor forward(Tensor x) {
            return Functional.dropout(x, p, isTraining(), generator);
        }
    }
}
