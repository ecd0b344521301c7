package dev.jtune.bench.matmul;

import dev.jtune.core.kernels.simd.SimdMatmul;
import dev.jtune.core.kernels.simd.SimdMatvec;
import dev.jtune.core.kernels.simd.SimdProduct;
import dev.jtune.core.Tensor;
import dev.jtune.core.backend.Backend;
import java.util.Random;

/**
 * The matrix products of one GPT-2 124M training step at batch x sequence = 256 rows, forward and backward, and of
 * one generated token at batch 1 (one row: the matrix-vector path), as the matmul benchmarks run them:
 * {@code A: [m, k] @ B: [k, n]} with the operand layouts autograd hands to the kernel.
 */
public enum MatmulCase {
    MLP_UP(256, 3072, 768, Layout.A_B),            // x @ c_fc.weight
    MLP_DOWN(256, 768, 3072, Layout.A_B),          // h @ c_proj.weight
    LM_HEAD(256, 50257, 768, Layout.A_B),          // x @ W, W: [768, 50257]
    MLP_UP_GRAD_INPUT(256, 768, 3072, Layout.A_BT),  // dh @ c_fc.weight^T
    MLP_UP_GRAD_WEIGHT(768, 3072, 256, Layout.AT_B), // x^T @ dh
    MLP_DOWN_GRAD_INPUT(256, 3072, 768, Layout.A_BT), // dy @ c_proj.weight^T
    MLP_DOWN_GRAD_WEIGHT(3072, 768, 256, Layout.AT_B), // h^T @ dy
    LM_HEAD_TIED(256, 50257, 768, Layout.A_BT),    // x @ wte^T, wte: [50257, 768]
    LM_HEAD_TIED_GRAD_INPUT(256, 768, 50257, Layout.A_B), // dlogits @ wte
    LM_HEAD_TIED_GRAD_WEIGHT(50257, 768, 256, Layout.AT_B), // dlogits^T @ x
    DECODE_QKV(1, 2304, 768, Layout.A_B),          // one token's x @ c_attn.weight
    DECODE_MLP_UP(1, 3072, 768, Layout.A_B),       // one token's x @ c_fc.weight
    DECODE_MLP_DOWN(1, 768, 3072, Layout.A_B),     // one token's h @ c_proj.weight
    DECODE_LM_HEAD_TIED(1, 50257, 768, Layout.A_BT); // one token's x @ wte^T

    /** How A and B are stored: row-major, or as the row-major transpose (a view, not a copy). */
    public enum Layout {
        A_B("A@B"), AT_B("A^T@B"), A_BT("A@B^T");

        public final String label;

        Layout(String label) {
            this.label = label;
        }
    }

    public final int m, n, k;
    public final Layout layout;

    MatmulCase(int m, int n, int k, Layout layout) {
        this.m = m;
        this.n = n;
        this.k = k;
        this.layout = layout;
    }

    public double flops() {
        return 2.0 * m * n * k;
    }

    /**
     * {@code ops.out = A @ B} with the kernel the CPU backend picks ({@link SimdProduct}: {@link SimdMatvec} where it
     * is {@link SimdMatvec#faster}), or always the tiled {@link SimdMatmul} when {@code tiled}.
     */
    public void multiply(Operands ops, boolean tiled) {
        int[] offsets = {0};
        if (tiled) {
            SimdMatmul.matmul(ops.out(), ops.a(), offsets, ops.aRowStride(), ops.aColStride(),
                              ops.b(), offsets, ops.bRowStride(), ops.bColStride(), m, n, k);
        } else {
            SimdProduct.matmul(ops.out(), ops.a(), offsets, ops.aRowStride(), ops.aColStride(),
                               ops.b(), offsets, ops.bRowStride(), ops.bColStride(), m, n, k);
        }
    }

    /**
     * The product on {@code backend}'s own kernel, with the operands' buffers where that backend keeps them (device
     * buffers for a device backend: {@code operands} are copied there once, on the first call).
     */
    @SuppressWarnings("unchecked")
    public void multiplyOn(Backend<?> backend, Operands ops, Tensor[] onBackend) {
        if (onBackend[0] == null) {
            onBackend[0] = Tensor.of(ops.out(), ops.out().length);
            onBackend[1] = Tensor.of(ops.a(), ops.a().length);
            onBackend[2] = Tensor.of(ops.b(), ops.b().length);
        }
        int[] offsets = {0};
        ((Backend<Object>) backend).matmul(onBackend[0].storage().kernelBuffer(), onBackend[1].storage().kernelBuffer(),
                offsets, ops.aRowStride(), ops.aColStride(), onBackend[2].storage().kernelBuffer(), offsets,
                ops.bRowStride(), ops.bColStride(), m, n, k);
    }

    /** Random operands and an output buffer for this case. */
    public Operands operands(long seed) {
        Random rnd = new Random(seed);
        float[] a = new float[m * k], b = new float[k * n];
        for (int i = 0; i < a.length; i++) a[i] = rnd.nextFloat() - 0.5f;
        for (int i = 0; i < b.length; i++) b[i] = rnd.nextFloat() - 0.5f;
        boolean at = layout == Layout.AT_B, bt = layout == Layout.A_BT;
        return new Operands(new float[m * n], a, at ? 1 : k, at ? m : 1, b, bt ? 1 : n, bt ? k : 1);
    }

    /** {@code out: [m, n]}, {@code a} and {@code b} read through the strides of the case's layout. */
    public record Operands(float[] out, float[] a, int aRowStride, int aColStride,
                           float[] b, int bRowStride, int bColStride) {}
}
