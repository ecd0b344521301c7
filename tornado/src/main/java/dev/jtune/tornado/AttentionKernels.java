package dev.jtune.tornado;

import uk.ac.manchester.tornado.api.KernelContext;
import uk.ac.manchester.tornado.api.types.arrays.FloatArray;
import uk.ac.manchester.tornado.api.types.arrays.IntArray;

/**
 * The masked row softmax in the middle of scaled-dot-product attention, forward and backward, and the dropout of the
 * weights, as core's {@code ScalarAttention} computes them; the products around them ({@code q k^T}, {@code P v} and
 * their backwards) are {@link MatmulKernels#matmul} launches (see {@link DeviceOps#attention}). Weights are {@code [N,
 * Tq, Tk]} with {@code N = B * H}.
 *
 * <p>Key j is hidden from query i of matrix n when causal and {@code j > i + Tk - Tq}, when a sliding window is set and
 * {@code j <= i + Tk - Tq - window}, or when {@code padded[n / H * Tk + j]} (an int 0/1 array in the int arena). Args
 * of both softmax kernels, one work-group per row {@code (n, i)}: {@code [rows = N * Tq, tq, tk, heads, causal (0/1),
 * padded (int arena), p, ds, windowed (0/1), window]}, scalars {@code [scale]}.
 */
final class AttentionKernels {

    private AttentionKernels() {}

    /**
     * In place on {@code p}, which holds the raw scores {@code q . k}: {@code p = softmax(mask(scores * scale))}, a
     * hidden score replaced by {@code -Float.MAX_VALUE} so that a row with every key hidden comes out uniform.
     */
    static void attentionSoftmax(KernelContext k, FloatArray heap, IntArray ints, IntArray args, FloatArray scalars) {
        int rows = args.get(0), tk = args.get(2), p = args.get(6);
        float scale = scalars.get(0);
        float[] partial = k.allocateFloatLocalArray(Grid.GROUP);
        int groups = k.globalGroupSizeX / Grid.GROUP;
        for (int row = k.groupIdx; row < rows; row += groups) {
            int at = p + row * tk;
            for (int j = k.localIdx; j < tk; j += Grid.GROUP) {
                heap.set(at + j, hidden(ints, args, row, j) != 0 ? -Float.MAX_VALUE : heap.get(at + j) * scale);
            }
            // No barrier: softmaxRow's items read exactly the elements they wrote here (the same strided j).
            SoftmaxKernels.softmaxRow(k, heap, partial, at, at, tk, false);
        }
    }

    /**
     * In place on {@code ds}, which holds {@code dP = dout v^T}: {@code ds = hidden ? 0 : p * (dP - sum_j dP_j p_j) *
     * scale}, the gradient of the scaled scores.
     */
    static void attentionSoftmaxBackward(KernelContext k, FloatArray heap, IntArray ints, IntArray args,
                                         FloatArray scalars) {
        int rows = args.get(0), tk = args.get(2), p = args.get(6), ds = args.get(7);
        float scale = scalars.get(0);
        float[] partial = k.allocateFloatLocalArray(Grid.GROUP);
        int groups = k.globalGroupSizeX / Grid.GROUP;
        for (int row = k.groupIdx; row < rows; row += groups) {
            int base = row * tk;
            float part = 0f;
            for (int j = k.localIdx; j < tk; j += Grid.GROUP) part += heap.get(ds + base + j) * heap.get(p + base + j);
            float s = GroupReduce.sum(k, partial, part);
            for (int j = k.localIdx; j < tk; j += Grid.GROUP) {
                float g = heap.get(p + base + j) * (heap.get(ds + base + j) - s);
                heap.set(ds + base + j, hidden(ints, args, row, j) != 0 ? 0f : g * scale);
            }
        }
    }

    /**
     * {@code heap[out + i] = heap[a + i] * (bit i of kept ? keepScale : 0)} for {@code i < n}, over independent
     * elements ({@link Grid#elements}); out may be a. The bitset is ints of 32 bits in the int arena, bit i being bit
     * {@code i % 32} of int {@code i / 32} (core's {@code long} words split low half first). Args {@code [n, out, a,
     * kept (int arena)]}, scalars {@code [keepScale]}. A dropped element is {@code x * 0}, NaN for an infinite x, as in
     * {@code ScalarAttention}.
     */
    static void attentionDropout(KernelContext k, FloatArray heap, IntArray ints, IntArray args, FloatArray scalars) {
        int n = args.get(0), out = args.get(1), a = args.get(2), kept = args.get(3);
        float keepScale = scalars.get(0);
        for (int i = k.globalIdx; i < n; i += k.globalGroupSizeX) {
            int bit = ints.get(kept + i / 32) >>> (i % 32) & 1;
            heap.set(out + i, heap.get(a + i) * (keepScale * bit));
        }
    }

    /**
     * 1 if key j is hidden from row {@code row = n * Tq + i}, else 0; sums of single-condition flags, because TornadoVM
     * 5.2 mistranslates compound conditions.
     */
    private static int hidden(IntArray ints, IntArray args, int row, int j) {
        int tq = args.get(1), tk = args.get(2), heads = args.get(3), causal = args.get(4), padded = args.get(5);
        int windowed = args.get(8), window = args.get(9);
        int n = row / tq, i = row % tq;
        int future = j > i + tk - tq ? 1 : 0;
        int tooOld = j <= i + tk - tq - window ? 1 : 0;
        return causal * future + windowed * tooOld + ints.get(padded + n / heads * tk + j);
    }
}
