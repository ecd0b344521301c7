package dev.jtune.core.backend;

import static dev.jtune.core.backend.ContractInputs.SIZES;
import static dev.jtune.core.backend.ContractInputs.U;
import static dev.jtune.core.backend.ContractInputs.toFloat;
import static dev.jtune.core.backend.ContractInputs.values;

import dev.jtune.core.kernels.Strided;
import java.util.Arrays;
import java.util.EnumSet;
import java.util.Random;
import java.util.Set;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;

/**
 * The elementwise part of the backend contract: unary, binary (with broadcasting) and copy compute what
 * {@link ReferenceBackend} does, on every op, on sizes around the vector length: bit-identical where IEEE rounding pins
 * the result, within a few ulp elsewhere.
 */
public interface ElementwiseContract extends ContractTarget {

    /** Ops whose float result IEEE arithmetic fixes to the bit, however computed. */
    Set<UnaryOp> EXACT_UNARY = EnumSet.of(UnaryOp.NEG, UnaryOp.ABS, UnaryOp.SQRT, UnaryOp.RELU, UnaryOp.SIGN,
            UnaryOp.STEP);
    /** A few ulp, and an absolute floor for results near a zero crossing or underflowing (e.g. silu' near -1.28). */
    double RTOL = 8 * U, ATOL = 1e-7;

    @Test
    default void everyUnaryOpMatchesTheReferenceOnAwkwardSizesAndSpecialValues() {
        Random rnd = new Random(1);
        for (UnaryOp op : UnaryOp.values()) {
            for (int n : SIZES) {
                int off = 3;
                float[] a = toFloat(values(rnd, n + off, 4, true)), want = new float[n], got = new float[n];
                String what = backend().name() + " " + op + " n=" + n;
                REFERENCE.unary(op, want, a, off, n);
                backend().unary(op, got, a, off, n);
                if (EXACT_UNARY.contains(op)) {
                    assertExact(what, want, got);
                } else {
                    assertWithin(what, want, got, RTOL, ATOL);
                }
            }
        }
    }

    /** A broadcast layout: out shape, and how a and b are laid out in arrays of the given lengths. */
    record Layout(String name, int[] shape, int aLen, int aOff, int[] aStrides, int bLen, int bOff, int[] bStrides) {}

    private static Stream<Layout> layouts(int n) {
        return Stream.of(
                new Layout("[n] + [n]", new int[] {n}, n, 0, new int[] {1}, n, 0, new int[] {1}),
                new Layout("[n] + scalar", new int[] {n}, n + 2, 2, new int[] {1}, 1, 0, new int[] {0}),
                new Layout("scalar + [n]", new int[] {n}, 1, 0, new int[] {0}, n, 0, new int[] {1}),
                new Layout("[3,n] + [n]", new int[] {3, n}, 3 * n, 0, new int[] {n, 1}, n, 0, new int[] {0, 1}),
                new Layout("[3,n] + [3,1]", new int[] {3, n}, 3 * n + 1, 1, new int[] {n, 1}, 3, 0, new int[] {1, 0}),
                new Layout("[n,3]^T + [n,3]", new int[] {n, 3}, 3 * n, 0, new int[] {1, n}, 3 * n, 0, new int[] {3, 1}),
                new Layout("[2,3,n] + [1,3,1]", new int[] {2, 3, n}, 6 * n + 5, 5, new int[] {3 * n, n, 1}, 3, 0,
                        new int[] {0, 1, 0}),
                new Layout("[2,n,1] + [2,1,3] (outer)", new int[] {2, n, 3}, 2 * n, 0, new int[] {n, 1, 0}, 6, 0,
                        new int[] {3, 0, 1}),
                new Layout("rank 0", new int[] {}, 1, 0, new int[] {}, 2, 1, new int[] {}));
    }

    @Test
    default void everyBinaryOpMatchesTheReferenceBitForBitOnBroadcastLayouts() {
        Random rnd = new Random(2);
        for (BinaryOp op : BinaryOp.values()) {
            for (int n : SIZES) {
                layouts(n).forEach(l -> {
                    String what = backend().name() + " " + op + " " + l.name() + " n=" + n;
                    int size = Strided.numel(l.shape());
                    float[] a = toFloat(values(rnd, l.aLen(), 2, true)), b = toFloat(values(rnd, l.bLen(), 2, false));
                    float[] want = new float[size], got = new float[size];
                    REFERENCE.binary(op, want, a, l.aOff(), l.aStrides(), b, l.bOff(), l.bStrides(), l.shape());
                    backend().binary(op, got, a, l.aOff(), l.aStrides(), b, l.bOff(), l.bStrides(), l.shape());
                    // + - * / max min are correctly rounded in float, and double-then-round gives the same bits.
                    if (op == BinaryOp.POW) {
                        assertWithin(what, want, got, RTOL, 0);
                    } else {
                        assertExact(what, want, got);
                    }
                });
            }
        }
    }

    @Test
    default void copyGathersEveryStridedViewExactly() {
        Random rnd = new Random(3);
        for (int n : SIZES) {
            float[] a = toFloat(values(rnd, 6 * n + 7, 1, false));
            int[][][] views = { // {shape, strides, offset}
                    {{2, 3, n}, {3 * n, n, 1}, {7}},        // contiguous
                    {{n, 3, 2}, {1, n, 3 * n}, {0}},        // fully permuted
                    {{2, n, 3}, {3 * n, 1, n}, {1}},        // last two swapped
                    {{3, n}, {2 * n, 2}, {0}},              // every other element
                    {{4, n}, {0, 1}, {2}},                  // expanded (stride 0)
                    {{2, 0, n}, {n, n, 1}, {0}},            // empty
                    {{}, {}, {5}}};                         // rank 0
            for (int[][] v : views) {
                String what = backend().name() + " copy shape " + Arrays.toString(v[0]) + " strides "
                        + Arrays.toString(v[1]);
                int size = Strided.numel(v[0]);
                float[] want = new float[size], got = new float[size];
                REFERENCE.copy(want, a, v[2][0], v[1], v[0]);
                backend().copy(got, a, v[2][0], v[1], v[0]);
                Compare.exact(what, want, got);
            }
        }
    }
}
