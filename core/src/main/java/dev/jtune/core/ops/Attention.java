package dev.jtune.core.ops;

import dev.jtune.core.DType;
import dev.jtune.core.Generator;
import dev.jtune.core.Tensor;
import dev.jtune.core.autograd.GradMode;
import dev.jtune.core.autograd.Node;
import dev.jtune.core.autograd.SavedTensor;
import dev.jtune.core.backend.AttentionMask;
import dev.jtune.core.backend.KvLayout;

/**
 * Fused scaled-dot-product attention {@code dropout(softmax(q k^T * scale + masks)) v}, forward and backward as one
 * node.
 *
 * <p>Why fused: composed from matmul, mul, masked_fill, softmax, dropout and matmul, attention allocates a
 * {@code [B, H, Tq, Tk]} tensor at every step forward and backward and keeps up to three of them for backward. Fused,
 * the scores of one (batch, head) live in per-thread scratch, and backward keeps only q, k, v, the softmax weights P
 * and a dropout bitset. Keeping P rather than a row log-sum-exp to recompute it from (as FlashAttention does) was
 * measured faster at GPT-2 124M's shapes for T=64 and T=1024 (README): recomputing costs a fifth more matrix products in
 * backward. The op computes the same function as {@code Functional.scaledDotProductAttentionComposed}, its naive
 * twin, with the same kernels in the same order (identical results on the CPU backend).
 */
public final class Attention {

    private Attention() {}

    /**
     * {@code q [B, H, Tq, hs]}, {@code k [B, H, Tk, hs]}, {@code v [B, H, Tk, hsv]} → {@code [B, H, Tq, hsv]}.
     *
     * @param attentionMask null, or {@code [B, Tk]} with 0 for padding keys (which get the dtype's lowest score)
     * @param isCausal      query i (the last Tq of Tk positions) sees keys up to its own position
     * @param scale         NaN for {@code 1/sqrt(hs)}
     * @param dropoutP      dropout probability on the weights; masks drawn from {@code generator} in row-major order
     */
    public static Tensor scaledDotProductAttention(Tensor q, Tensor k, Tensor v, Tensor attentionMask,
                                                   boolean isCausal, double scale, double dropoutP,
                                                   Generator generator) {
        return scaledDotProductAttention(q, k, v, attentionMask, isCausal, scale, dropoutP, generator, 0);
    }

    /**
     * As above, with a sliding window: 0 for none, else query i sees only keys {@code j > i + Tk - Tq - window}. A
     * window that hides nothing ({@code window >= Tk}) is dropped, so backends see one only where it matters.
     */
    public static Tensor scaledDotProductAttention(Tensor q, Tensor k, Tensor v, Tensor attentionMask,
                                                   boolean isCausal, double scale, double dropoutP,
                                                   Generator generator, int window) {
        return scaledDotProductAttention(q, k, v, attentionMask, isCausal, scale, dropoutP, generator, window, false);
    }

    /**
     * As above; with {@code enableGqa} (PyTorch's {@code enable_gqa}) k and v may have fewer heads {@code H_kv} than
     * q, H a multiple of them: key head j serves query heads {@code j * H / H_kv} to {@code (j + 1) * H / H_kv - 1}
     * (the heads of {@code repeat_interleave(H / H_kv, dim=1)}, Llama's {@code repeat_kv}). Without a graph they are
     * read in place; with one they are repeated by the same view ops Llama's {@code repeat_kv} uses, so the
     * gradients are the repeated version's.
     */
    public static Tensor scaledDotProductAttention(Tensor q, Tensor k, Tensor v, Tensor attentionMask,
                                                   boolean isCausal, double scale, double dropoutP,
                                                   Generator generator, int window, boolean enableGqa) {
        checkShapes(q, k, v, attentionMask, enableGqa);
        if (window < 0) {
            throw new IllegalArgumentException("scaled_dot_product_attention: window must be >= 0, got " + window);
        }
        int b = q.size(0), h = q.size(1), tq = q.size(2), tk = k.size(2), hs = q.size(3), hsv = v.size(3);
        int group = h / k.size(1);  // query heads per key head
        boolean record = GradMode.isEnabled() && (q.requiresGrad() || k.requiresGrad() || v.requiresGrad());
        if (record && group > 1) {  // the backward takes one key head per query head
            return scaledDotProductAttention(q, repeatHeads(k, group), repeatHeads(v, group), attentionMask, isCausal,
                    scale, dropoutP, generator, window, false);
        }
        boolean f32 = q.dtype() == DType.F32;
        double s = Double.isNaN(scale) ? 1 / Math.sqrt(hs) : scale;
        double sc = f32 ? (float) s : s;  // the composed ops multiply by the scale as a tensor of q's dtype
        AttentionMask mask = new AttentionMask(h, isCausal, padded(attentionMask),
                kept(dropoutP, generator, b * h * tq * tk), f32 ? (float) (1 / (1 - dropoutP)) : 1 / (1 - dropoutP),
                window < tk ? window : 0);
        // Without a graph, keys and values whose (batch, head) matrices are each contiguous (a KV cache's buffer) are
        // read in place, not copied at every generated token; the backward takes them dense.
        int kStride = record ? -1 : Dispatch.matrixStride(k), vStride = record ? -1 : Dispatch.matrixStride(v);
        Tensor qd = Dispatch.dense(q.detach());
        Tensor kd = kStride >= 0 ? k.detach() : Dispatch.dense(k.detach());
        Tensor vd = vStride >= 0 ? v.detach() : Dispatch.dense(v.detach());
        KvLayout kv = new KvLayout(kStride >= 0 ? kStride : tk * hs, vStride >= 0 ? vStride : tk * hsv, group);
        Tensor out = Tensor.empty(q.dtype(), b, h, tq, hsv);  // every element is written, masked rows included
        Tensor p = record ? Tensor.empty(q.dtype(), b, h, tq, tk) : null;  // (B, H, Tq, Tk) softmax weights
        Dispatch.attention(out, p, qd, kd, vd, mask, b * h, tq, tk, hs, hsv, kv, sc);
        return out.recordedBy(new Node("scaled_dot_product_attention", q, k, v) {
            private final SavedTensor sq = save(qd), sk = save(kd), sv = save(vd), sp = p == null ? null : save(p);

            @Override
            public Tensor[] backward(Tensor g) {
                Tensor dq = Tensor.zeros(q.dtype(), q.shape()), dk = Tensor.zeros(q.dtype(), k.shape());
                Tensor dv = Tensor.zeros(q.dtype(), v.shape());
                Dispatch.attentionBackward(dq, dk, dv, Dispatch.dense(g), sp.get(), sq.get(), sk.get(), sv.get(), mask,
                        b * h, tq, tk, hs, hsv, sc);
                return new Tensor[] {needsGrad(0) ? dq : null, needsGrad(1) ? dk : null, needsGrad(2) ? dv : null};
            }
        });
    }

    /** Padding keys, {@code [B, Tk]} true where the attention mask is 0; null without a mask. */
    private static boolean[] padded(Tensor attentionMask) {
        if (attentionMask == null) return null;
        double[] m = attentionMask.to(DType.F64).toDoubleArray();
        boolean[] padded = new boolean[m.length];
        for (int i = 0; i < m.length; i++) padded[i] = m[i] == 0;
        return padded;
    }

    /**
     * The dropout bitset over {@code numel} weights (bit set = kept), drawn as {@code Functional.dropout} draws its mask:
     * one {@code nextDouble() >= p} per weight in row-major order; null when {@code p == 0}. {@code p == 1} draws
     * nothing and drops everything.
     */
    private static long[] kept(double p, Generator generator, int numel) {
        if (p < 0 || p > 1) throw new IllegalArgumentException("scaled_dot_product_attention: dropout p must be in [0, 1], got " + p);
        if (p == 0) return null;
        if (generator == null) {
            throw new IllegalArgumentException("scaled_dot_product_attention: dropout p = " + p + " needs a generator");
        }
        long[] kept = new long[(numel + 63) / 64];
        if (p == 1) return kept;
        for (int i = 0; i < numel; i++) {
            if (generator.nextDouble() >= p) kept[i >>> 6] |= 1L << i;
        }
        return kept;
    }

    /** {@code x [B, H_kv, T, d]} → {@code [B, H_kv * group, T, d]}, each head repeated {@code group} times in place. */
    private static Tensor repeatHeads(Tensor x, int group) {
        int b = x.size(0), heads = x.size(1), t = x.size(2), d = x.size(3);
        return x.unsqueeze(2).expand(b, heads, group, t, d).reshape(b, heads * group, t, d);
    }

    private static void checkShapes(Tensor q, Tensor k, Tensor v, Tensor attentionMask, boolean enableGqa) {
        String op = "scaled_dot_product_attention";
        if (q.dim() != 4 || k.dim() != 4 || v.dim() != 4) {
            throw new IllegalArgumentException(op + ": expects 4-d q, k, v, got " + q.shapeString() + ", "
                    + k.shapeString() + ", " + v.shapeString());
        }
        Dispatch.requireSameCompute(op, q, k);
        Dispatch.requireSameCompute(op, q, v);
        int heads = q.size(1), kvHeads = k.size(1);
        boolean headsMatch = enableGqa ? kvHeads > 0 && heads % kvHeads == 0 : kvHeads == heads;
        if (k.size(0) != q.size(0) || !headsMatch || k.size(3) != q.size(3)
                || v.size(0) != q.size(0) || v.size(1) != kvHeads || v.size(2) != k.size(2)) {
            String kvH = enableGqa ? "H_kv" : "H";
            throw new IllegalArgumentException(op + ": q [B, H, Tq, hs] " + q.shapeString() + ", k [B, " + kvH
                    + ", Tk, hs] " + k.shapeString() + " and v [B, " + kvH + ", Tk, hsv] " + v.shapeString()
                    + " do not match" + (enableGqa ? " (H must be a multiple of H_kv)" : ""));
        }
        if (attentionMask != null && (attentionMask.dim() != 2 || attentionMask.size(0) != q.size(0)
                || attentionMask.size(1) != k.size(2))) {
            throw new IllegalArgumentException(op + ": attention mask must be [B, Tk] = [" + q.size(0) + ", "
                    + k.size(2) + "], got " + attentionMask.shapeString());
        }
    }
}
