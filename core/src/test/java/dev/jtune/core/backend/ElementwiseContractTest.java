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
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.MethodSource;

/**
 * The elementwise part of the backend contract: every backend found by {@link Backends#available()} computes unary,
 * binary (with broadcasting) and copy like {@link ReferenceBackend}, on every op, on sizes around the vector length.
 * F64 must be bit-identical; F32 bit-identical where IEEE rounding pins the result, within a few ulp elsewhere.
 */
class ElementwiseContractTest {

    private static final Backend REFERENCE = new ReferenceBackend();
    /** Ops whose float result IEEE arithmetic fixes to the bit, however computed. */
    private static final Set<UnaryOp> EXACT_UNARY = EnumSet.of(UnaryOp.NEG, UnaryOp.ABS, UnaryOp.SQRT, UnaryOp.RELU,
            UnaryOp.SIGN, UnaryOp.STEP);
    /** A few ulp, and an absolute floor for results near a zero crossing or underflowing (e.g. silu' near -1.28). */
    private static final double RTOL = 8 * U, ATOL = 1e-7;

    static Stream<Backend> backends() {
        return Backends.available().stream();
    }

    @ParameterizedTest(name = "{0}")
    @MethodSource("backends")
    void everyUnaryOpMatchesTheReferenceOnAwkwardSizesAndSpecialValues(Backend backend) {
        Random rnd = new Random(1);
        for (UnaryOp op : UnaryOp.values()) {
            for (int n : SIZES) {
                int off = 3;
                double[] a = values(rnd, n + off, 4, true);
                String what = backend.name() + " " + op + " n=" + n;

                double[] want = new double[n], got = new double[n];
                REFERENCE.unary(op, want, a, off, n);
                backend.unary(op, got, a, off, n);
                Compare.exact(what + " F64", want, got);

                float[] af = toFloat(a), wantF = new float[n], gotF = new float[n];
                REFERENCE.unary(op, wantF, af, off, n);
                backend.unary(op, gotF, af, off, n);
                if (EXACT_UNARY.contains(op)) {
                    Compare.exact(what + " F32", wantF, gotF);
                } else {
                    Compare.within(what + " F32", wantF, gotF, RTOL, ATOL);
                }
            }
        }
    }

    /** A broadcast layout: out shape, and how a and b are laid out in arrays of the given lengths. */
    private record Layout(String name, int[] shape, int aLen, int aOff, int[] aStrides, int bLen, int bOff,
                          int[] bStrides) {}

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

    @ParameterizedTest(name = "{0}")
    @MethodSource("backends")
    void everyBinaryOpMatchesTheReferenceBitForBitOnBroadcastLayouts(Backend backend) {
        Random rnd = new Random(2);
        for (BinaryOp op : BinaryOp.values()) {
            for (int n : SIZES) {
                layouts(n).forEach(l -> {
                    String what = backend.name() + " " + op + " " + l.name() + " n=" + n;
                    int size = Strided.numel(l.shape());
                    double[] a = values(rnd, l.aLen(), 2, true), b = values(rnd, l.bLen(), 2, false);

                    double[] want = new double[size], got = new double[size];
                    REFERENCE.binary(op, want, a, l.aOff(), l.aStrides(), b, l.bOff(), l.bStrides(), l.shape());
                    backend.binary(op, got, a, l.aOff(), l.aStrides(), b, l.bOff(), l.bStrides(), l.shape());
                    Compare.exact(what + " F64", want, got);

                    // + - * / max min are correctly rounded in float, and double-then-round gives the same bits.
                    float[] af = toFloat(a), bf = toFloat(b), wantF = new float[size], gotF = new float[size];
                    REFERENCE.binary(op, wantF, af, l.aOff(), l.aStrides(), bf, l.bOff(), l.bStrides(), l.shape());
                    backend.binary(op, gotF, af, l.aOff(), l.aStrides(), bf, l.bOff(), l.bStrides(), l.shape());
                    if (op == BinaryOp.POW) {
                        Compare.within(what + " F32", wantF, gotF, RTOL, 0);
                    } else {
                        Compare.exact(what + " F32", wantF, gotF);
                    }
                });
            }
        }
    }

    @ParameterizedTest(name = "{0}")
    @MethodSource("backends")
    void copyGathersEveryStridedViewExactly(Backend backend) {
        Random rnd = new Random(3);
        for (int n : SIZES) {
            double[] a = values(rnd, 6 * n + 7, 1, false);
            int[][][] views = { // {shape, strides, offset}
                    {{2, 3, n}, {3 * n, n, 1}, {7}},        // contiguous
                    {{n, 3, 2}, {1, n, 3 * n}, {0}},        // fully permuted
                    {{2, n, 3}, {3 * n, 1, n}, {1}},        // last two swapped
                    {{3, n}, {2 * n, 2}, {0}},              // every other element
                    {{4, n}, {0, 1}, {2}},                  // expanded (stride 0)
                    {{2, 0, n}, {n, n, 1}, {0}},            // empty
                    {{}, {}, {5}}};                         // rank 0
            for (int[][] v : views) {
                String what = backend.name() + " copy shape " + Arrays.toString(v[0]) + " strides "
                        + Arrays.toString(v[1]);
                int size = Strided.numel(v[0]);
                double[] want = new double[size], got = new double[size];
                REFERENCE.copy(want, a, v[2][0], v[1], v[0]);
                backend.copy(got, a, v[2][0], v[1], v[0]);
                Compare.exact(what + " F64", want, got);
                float[] wantF = new float[size], gotF = new float[size];
                REFERENCE.copy(wantF, toFloat(a), v[2][0], v[1], v[0]);
                backend.copy(gotF, toFloat(a), v[2][0], v[1], v[0]);
                Compare.exact(what + " F32", wantF, gotF);
            }
        }
    }
}
