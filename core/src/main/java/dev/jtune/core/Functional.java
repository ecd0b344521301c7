package dev.jtune.core;

import dev.jtune.core.ops.Attention;
import dev.jtune.core.ops.BiasGelu;
import dev.jtune.core.ops.Indexing;
import dev.jtune.core.ops.LinearAlgebra;
import dev.jtune.core.ops.Losses;
import dev.jtune.core.ops.Losses.Reduction;
import dev.jtune.core.ops.Normalization;

/**
 * The neural-network functions of {@code torch.nn.functional}, composed from tensor ops: linear, embedding,
 * cross-entropy, layer and RMS norm, dropout and causal scaled-dot-product attention; and the fused bias + GELU.
 */
public final class Functional {

    private Functional() {}

    /** {@code x @ weight^T + bias} for weight {@code [out, in]}; bias may be null. */
    public static Tensor linear(Tensor x, Tensor weight, Tensor bias) {
        return bias == null ? x.matmul(weight.t()) : LinearAlgebra.addmm(bias, x, weight.t());
    }

    /**
     * {@code gelu(x + bias)} for {@code x [..., C]} and {@code bias [C]} as one fused op (GPT-2's c_fc bias and
     * gelu_new); {@code approximate} is "none" (exact) or "tanh", as in PyTorch. Equals
     * {@code x.add(bias).gelu(approximate)}.
     */
    public static Tensor biasGelu(Tensor x, Tensor bias, String approximate) {
        return BiasGelu.apply(x, bias, approximate);
    }

    /**
     * Rows of {@code weight [V, C]} for each id of an integer tensor {@code ids [...]}: {@code [..., C]}. Ids outside
     * {@code [0, V)} fail with the offending id and position.
     */
    public static Tensor embedding(Tensor weight, Tensor ids) {
        if (weight.dim() != 2) {
            throw new IllegalArgumentException("embedding: weight must be [V, C], got " + weight.shapeString());
        }
        int[] shape = java.util.Arrays.copyOf(ids.shape(), ids.dim() + 1);
        shape[ids.dim()] = weight.size(1);
        return Indexing.indexSelect(weight, 0, ids.reshape(-1)).reshape(shape);
    }

    /**
     * Cross-entropy of {@code logits [..., C]} against integer {@code target [...]}, skipping {@code ignoreIndex}
     * (PyTorch's default is -100); MEAN averages over the non-ignored targets.
     */
    public static Tensor crossEntropy(Tensor logits, Tensor target, int ignoreIndex, Reduction reduction) {
        int classes = logits.size(-1);
        if (logits.numel() / Math.max(classes, 1) != target.numel()) {
            throw new IllegalArgumentException("cross_entropy: logits " + logits.shapeString() + " and target "
                    + target.shapeString() + " do not have the same number of positions");
        }
        return Losses.crossEntropy(logits.reshape(-1, classes), target.reshape(-1), ignoreIndex, reduction);
    }

    /** Mean cross-entropy with {@code ignore_index=-100}, as {@code F.cross_entropy(logits, target)}. */
    public static Tensor crossEntropy(Tensor logits, Tensor target) {
        return crossEntropy(logits, target, -100, Reduction.MEAN);
    }

    /**
     * Layer norm over the last dim: {@code (x - mean) / sqrt(var + eps) * weight + bias} (biased variance), as one op
     * that keeps only the input and per-row statistics for backward ({@link Normalization}).
     */
    public static Tensor layerNorm(Tensor x, Tensor weight, Tensor bias, double eps) {
        return Normalization.layerNorm(x, weight, bias, eps);
    }

    /** {@link #layerNorm} composed of elementwise ops and means: its naive twin (same forward bits). */
    public static Tensor layerNormComposed(Tensor x, Tensor weight, Tensor bias, double eps) {
        checkNormWeight("layer_norm", x, weight);
        Tensor centered = x.sub(x.mean(-1, true));
        Tensor variance = centered.mul(centered).mean(-1, true);
        Tensor normalized = centered.mul(variance.add(eps).rsqrt());
        Tensor y = weight == null ? normalized : normalized.mul(weight);
        return bias == null ? y : y.add(bias);
    }

    /** RMS norm over the last dim, as Llama's: {@code x / sqrt(mean(x^2) + eps) * weight}, one op ({@link Normalization}). */
    public static Tensor rmsNorm(Tensor x, Tensor weight, double eps) {
        return Normalization.rmsNorm(x, weight, eps);
    }

    /** {@link #rmsNorm} composed of elementwise ops and a mean: its naive twin (same forward bits). */
    public static Tensor rmsNormComposed(Tensor x, Tensor weight, double eps) {
        checkNormWeight("rms_norm", x, weight);
        Tensor y = x.mul(x.mul(x).mean(-1, true).add(eps).rsqrt());
        return weight == null ? y : y.mul(weight);
    }

    /**
     * Zeroes each element with probability {@code p} and scales the rest by {@code 1/(1-p)} when training; the mask is
     * drawn from {@code generator} in row-major order, so a seed gives the same mask on any thread count.
     */
    public static Tensor dropout(Tensor x, double p, boolean training, Generator generator) {
        if (p < 0 || p > 1) throw new IllegalArgumentException("dropout: p must be in [0, 1], got " + p);
        if (!training || p == 0) return x;
        if (p == 1) return x.mul(0);
        double keep = 1 / (1 - p);
        double[] mask = new double[x.numel()];
        for (int i = 0; i < mask.length; i++) mask[i] = generator.nextDouble() >= p ? keep : 0;
        return x.mul(Tensor.of(mask, x.shape()).to(x.dtype()));
    }

    /**
     * Scaled dot-product attention {@code softmax(q k^T * scale + mask) v} for {@code q [B, H, Tq, D]},
     * {@code k [B, H, Tk, D]}, {@code v [B, H, Tk, Dv]}.
     *
     * @param attentionMask null, or {@code [B, Tk]} with 1 for real keys and 0 for padding (HF's attention_mask)
     * @param isCausal      query i (the last Tq of Tk positions) sees keys up to its own position
     * @param scale         NaN for {@code 1/sqrt(D)}
     */
    public static Tensor scaledDotProductAttention(Tensor q, Tensor k, Tensor v, Tensor attentionMask,
                                                   boolean isCausal, double scale) {
        return scaledDotProductAttention(q, k, v, attentionMask, isCausal, scale, 0, null);
    }

    /**
     * As above, with dropout of probability {@code dropoutP} on the attention weights (masks from {@code generator});
     * one fused op ({@link Attention}) that never materialises the intermediate {@code [B, H, Tq, Tk]} tensors.
     */
    public static Tensor scaledDotProductAttention(Tensor q, Tensor k, Tensor v, Tensor attentionMask,
                                                   boolean isCausal, double scale, double dropoutP,
                                                   Generator generator) {
        return Attention.scaledDotProductAttention(q, k, v, attentionMask, isCausal, scale, dropoutP, generator, 0);
    }

    /**
     * As above, with a sliding window of {@code window} keys (0 for none): query i (the last Tq of Tk positions) sees
     * only keys {@code j > i + Tk - Tq - window}, the window of Mistral and of transformers' {@code sliding_window}.
     */
    public static Tensor scaledDotProductAttention(Tensor q, Tensor k, Tensor v, Tensor attentionMask,
                                                   boolean isCausal, double scale, double dropoutP,
                                                   Generator generator, int window) {
        return Attention.scaledDotProductAttention(q, k, v, attentionMask, isCausal, scale, dropoutP, generator,
                window);
    }

    /**
     * As above; with {@code enableGqa} (PyTorch's {@code enable_gqa}) k and v may have fewer heads than q, each key
     * head serving {@code H / H_kv} consecutive query heads, read in place where no gradient is needed.
     */
    public static Tensor scaledDotProductAttention(Tensor q, Tensor k, Tensor v, Tensor attentionMask,
                                                   boolean isCausal, double scale, double dropoutP,
                                                   Generator generator, int window, boolean enableGqa) {
        return Attention.scaledDotProductAttention(q, k, v, attentionMask, isCausal, scale, dropoutP, generator,
                window, enableGqa);
    }

    /**
     * The same function composed from tensor ops (matmul, mul, masked_fill, softmax, dropout, matmul): the naive twin
     * the fused {@link #scaledDotProductAttention} is tested and benchmarked against.
     */
    public static Tensor scaledDotProductAttentionComposed(Tensor q, Tensor k, Tensor v, Tensor attentionMask,
                                                           boolean isCausal, double scale, double dropoutP,
                                                           Generator generator) {
        return scaledDotProductAttentionComposed(q, k, v, attentionMask, isCausal, scale, dropoutP, generator, 0);
    }

    /** The composed twin of the sliding-window {@link #scaledDotProductAttention}. */
    public static Tensor scaledDotProductAttentionComposed(Tensor q, Tensor k, Tensor v, Tensor attentionMask,
                                                           boolean isCausal, double scale, double dropoutP,
                                                           Generator generator, int window) {
        if (q.dim() != 4 || k.dim() != 4 || v.dim() != 4) {
            throw new IllegalArgumentException("scaled_dot_product_attention: expects 4-d q, k, v, got "
                    + q.shapeString() + ", " + k.shapeString() + ", " + v.shapeString());
        }
        int tq = q.size(2), tk = k.size(2);
        double s = Double.isNaN(scale) ? 1 / Math.sqrt(q.size(3)) : scale;
        Tensor scores = q.matmul(k.transpose(-2, -1)).mul(s);  // (B, H, Tq, Tk)
        double lowest = q.dtype() == DType.F32 ? -Float.MAX_VALUE : -Double.MAX_VALUE;
        if (isCausal) {
            Tensor future = Tensor.ones(q.dtype(), tq, tk).triu(tk - tq + 1);  // 1 where key is after the query
            scores = scores.maskedFill(future, lowest);
        }
        if (window > 0) {
            Tensor tooOld = Tensor.ones(q.dtype(), tq, tk).tril(tk - tq - window);  // 1 where key is out of reach
            scores = scores.maskedFill(tooOld, lowest);
        }
        if (attentionMask != null) {
            if (attentionMask.dim() != 2 || attentionMask.size(0) != q.size(0) || attentionMask.size(1) != tk) {
                throw new IllegalArgumentException("scaled_dot_product_attention: attention mask must be [B, Tk] = ["
                        + q.size(0) + ", " + tk + "], got " + attentionMask.shapeString());
            }
            Tensor padding = attentionMask.to(q.dtype()).eq(Tensor.scalar(0, q.dtype())).view(q.size(0), 1, 1, tk);
            scores = scores.maskedFill(padding, lowest);
        }
        Tensor weights = scores.softmax(-1);
        return (dropoutP > 0 ? dropout(weights, dropoutP, true, generator) : weights).matmul(v);
    }

    private static void checkNormWeight(String op, Tensor x, Tensor weight) {
        if (weight != null && (weight.dim() != 1 || weight.size(0) != x.size(-1))) {
            throw new IllegalArgumentException(op + ": weight of shape " + weight.shapeString()
                    + " does not match the last dim of input " + x.shapeString());
        }
    }
}
