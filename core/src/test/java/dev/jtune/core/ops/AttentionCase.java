package dev.jtune.core.ops;

import dev.jtune.core.DType;
import dev.jtune.core.Functional;
import dev.jtune.core.Generator;
import dev.jtune.core.Tensor;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;

/**
 * One scaled-dot-product attention problem for the fused-vs-composed tests, built deterministically from its fields:
 * q a transposed view like the models pass, k and v optionally GQA-expanded from fewer heads (stride-0 views, as
 * Llama's {@code repeatKv} builds them), and a padding mask that may pad a whole row.
 *
 * @param kvHeads heads of k and v before expansion to {@code h} ({@code h % kvHeads == 0})
 * @param padding 0: no mask, 1: left padding of batch row 0, 2: batch row 0 entirely padding
 * @param window  the sliding window (0 for none)
 */
record AttentionCase(int b, int h, int kvHeads, int tq, int tk, int hs, int hsv, boolean causal, int padding,
                     double dropoutP, int window, long seed) {

    /** The output and the gradients of q, k and v under a fixed random weighting of the output. */
    List<double[]> run(DType dtype, boolean fused) {
        Generator g = new Generator(seed);
        Tensor q = Tensor.randn(g, dtype, b, tq, h, hs).transpose(1, 2).detach().requiresGrad(true);
        Tensor k = Tensor.randn(g, dtype, b, kvHeads, tk, hs).requiresGrad(true);
        Tensor v = Tensor.randn(g, dtype, b, kvHeads, tk, hsv).requiresGrad(true);
        Tensor weights = Tensor.randn(g, dtype, b, h, tq, hsv);
        Generator dropout = new Generator(seed + 1);
        Tensor out = fused
                ? Functional.scaledDotProductAttention(q, expand(k), expand(v), mask(), causal, Double.NaN, dropoutP,
                        dropout, window)
                : Functional.scaledDotProductAttentionComposed(q, expand(k), expand(v), mask(), causal, Double.NaN,
                        dropoutP, dropout, window);
        out.mul(weights).sum().backward();
        List<double[]> parts = new ArrayList<>(List.of(out.toDoubleArray(), q.grad().toDoubleArray(),
                k.grad().toDoubleArray(), v.grad().toDoubleArray()));
        parts.add(new double[] {dropout.nextDouble()});  // both must have drawn the same number of values
        return parts;
    }

    /** [B, kvHeads, T, d] → [B, H, T, d], each kv head serving H / kvHeads query heads. */
    private Tensor expand(Tensor x) {
        if (kvHeads == h) return x;
        int t = x.size(2), d = x.size(3);
        return x.unsqueeze(2).expand(b, kvHeads, h / kvHeads, t, d).reshape(b, h, t, d);
    }

    /** The padding mask {@code [B, Tk]} (1 = real key), or null. */
    Tensor mask() {
        if (padding == 0) return null;
        long[] m = new long[b * tk];
        Arrays.fill(m, 1);
        for (int j = 0; j < (padding == 2 ? tk : tk / 2); j++) m[j] = 0;
        return Tensor.ofLongs(m, b, tk);
    }
}
