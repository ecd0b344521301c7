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
 * The elementwise part of the backend contract: unary, binary (with broadcasting), copy and fill compute what
 * {@link ReferenceBackend} does, on every op, on sizes around the vector length: bit-identical where IEEE rounding pins
 * the result (copies and fills always), within a few ulp elsewhere.
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

    /** A destination view of a shape: its offset and strides in an array of {@code length} elements. */
    record Destination(String name, int offset, int[] strides, int length) {

        static Destination of(String name, int offset, int[] strides, int[] shape) {
            int last = offset;
            for (int d = 0; d < shape.length; d++) last += (shape[d] - 1) * strides[d];
            return new Destination(name, offset, strides, Strided.numel(shape) == 0 ? offset : last + 1);
        }
    }

    /** Where a copy may write: a dense array, a cat's slice (padded rows), a transposed view, every other element. */
    private static Stream<Destination> destinations(int[] shape) {
        int rank = shape.length;
        int[] dense = new int[rank], padded = new int[rank], reversed = new int[rank], everyOther = new int[rank];
        for (int d = rank - 1, step = 1, paddedStep = 1; d >= 0; d--) {
            dense[d] = step;
            everyOther[d] = 2 * step;
            padded[d] = paddedStep;
            step *= shape[d];
            paddedStep *= d == rank - 1 ? shape[d] + 3 : shape[d];
        }
        for (int d = 0, step = 1; d < rank; d++) {
            reversed[d] = step;
            step *= shape[d];
        }
        return Stream.of(Destination.of("dense", 0, dense, shape), Destination.of("cat slice", 2, padded, shape),
                Destination.of("transposed", 1, reversed, shape), Destination.of("every other", 1, everyOther, shape));
    }

    @Test
    default void copyWritesEveryStridedViewIntoEveryDestinationExactlyAndNothingElse() {
        Random rnd = new Random(3);
        for (int n : SIZES) {
            float[] a = toFloat(values(rnd, 6 * n + 7, 1, true));
            int[][][] views = { // {shape, strides, offset}
                    {{2, 3, n}, {3 * n, n, 1}, {7}},        // contiguous
                    {{n, 3, 2}, {1, n, 3 * n}, {0}},        // fully permuted
                    {{2, n, 3}, {3 * n, 1, n}, {1}},        // last two swapped
                    {{3, n}, {2 * n, 2}, {0}},              // every other element
                    {{4, n}, {0, 1}, {2}},                  // expanded (stride 0)
                    {{3, n}, {1, 0}, {4}},                  // a column broadcast along rows
                    {{2, 0, n}, {n, n, 1}, {0}},            // empty
                    {{}, {}, {5}}};                         // rank 0
            for (int[][] v : views) {
                destinations(v[0]).forEach(dest -> {
                    String what = backend().name() + " copy shape " + Arrays.toString(v[0]) + " strides "
                            + Arrays.toString(v[1]) + " into " + dest.name();
                    float[] want = toFloat(values(rnd, dest.length(), 1, false)), got = want.clone();
                    REFERENCE.copy(want, dest.offset(), dest.strides(), a, v[2][0], v[1], v[0]);
                    backend().copy(got, dest.offset(), dest.strides(), a, v[2][0], v[1], v[0]);
                    Compare.exact(what, want, got);
                });
            }
        }
    }

    @Test
    default void fillSetsExactlyItsRangeToTheValue() {
        Random rnd = new Random(4);
        for (int n : SIZES) {
            for (float value : new float[] {1.5f, -0f, Float.NaN, Float.NEGATIVE_INFINITY, Float.MIN_VALUE}) {
                int off = n % 5;
                float[] want = toFloat(values(rnd, off + n + 3, 1, false)), got = want.clone();
                REFERENCE.fill(want, off, n, value);
                backend().fill(got, off, n, value);
                Compare.exact(backend().name() + " fill " + value + " n=" + n, want, got);
            }
        }
    }
}
