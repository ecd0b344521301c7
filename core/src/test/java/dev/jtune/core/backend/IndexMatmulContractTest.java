package dev.jtune.core.backend;

import static dev.jtune.core.backend.ContractInputs.L;
import static dev.jtune.core.backend.ContractInputs.SIZES;
import static dev.jtune.core.backend.ContractInputs.U;
import static dev.jtune.core.backend.ContractInputs.abs;
import static dev.jtune.core.backend.ContractInputs.toFloat;
import static dev.jtune.core.backend.ContractInputs.values;

import java.util.Random;
import java.util.stream.Stream;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.MethodSource;

/**
 * The gather, scatter-add and matmul part of the backend contract, against {@link ReferenceBackend}. Accumulating F32
 * results are held to the bound {@code (terms + 2) u} times the same computation on absolute values.
 */
class IndexMatmulContractTest {

    private static final Backend REFERENCE = new ReferenceBackend();

    static Stream<Backend> backends() {
        return Backends.available().stream();
    }

    /** {outer, dim, inner, index length} with repeated indices (as a batch repeats tokens). */
    private static int[][] indexShapes() {
        Stream.Builder<int[]> b = Stream.builder();
        for (int n : SIZES) {
            b.add(new int[] {1, 11, n, 23});   // embedding: [vocab, C], 23 token ids
            b.add(new int[] {2, 5, n, 7});
            b.add(new int[] {3, Math.max(1, n), 2, 4});
        }
        b.add(new int[] {2, 4, 3, 0});
        return b.build().toArray(int[][]::new);
    }

    @ParameterizedTest(name = "{0}")
    @MethodSource("backends")
    void indexSelectGathersExactlyAndIndexAddAccumulatesLikeTheReference(Backend backend) {
        Random rnd = new Random(8);
        for (int[] s : indexShapes()) {
            int outer = s[0], dim = s[1], inner = s[2];
            int[] index = rnd.ints(s[3], 0, dim).toArray();
            String what = backend.name() + " [" + outer + "," + dim + "," + inner + "] index length " + index.length;
            int selected = outer * index.length * inner;

            double[] a = values(rnd, outer * dim * inner, 2, false);
            double[] want = new double[selected], got = new double[selected];
            REFERENCE.indexSelect(want, a, index, outer, dim, inner);
            backend.indexSelect(got, a, index, outer, dim, inner);
            Compare.exact(what + " indexSelect F64", want, got);
            float[] wantF = new float[selected], gotF = new float[selected];
            REFERENCE.indexSelect(wantF, toFloat(a), index, outer, dim, inner);
            backend.indexSelect(gotF, toFloat(a), index, outer, dim, inner);
            Compare.exact(what + " indexSelect F32", wantF, gotF);

            double[] src = values(rnd, selected, 2, false), base = values(rnd, outer * dim * inner, 2, false);
            double[] wantAdd = base.clone(), gotAdd = base.clone();
            REFERENCE.indexAdd(wantAdd, src, index, outer, dim, inner);
            backend.indexAdd(gotAdd, src, index, outer, dim, inner);
            Compare.exact(what + " indexAdd F64", wantAdd, gotAdd);
            float[] wantAddF = toFloat(base), gotAddF = toFloat(base);
            REFERENCE.indexAdd(wantAddF, toFloat(src), index, outer, dim, inner);
            backend.indexAdd(gotAddF, toFloat(src), index, outer, dim, inner);
            double[] magnitude = abs(base);
            REFERENCE.indexAdd(magnitude, abs(src), index, outer, dim, inner);
            for (int i = 0; i < magnitude.length; i++) magnitude[i] *= (index.length + 2) * U;
            Compare.within(what + " indexAdd F32", wantAddF, gotAddF, magnitude);
        }
    }

    /** {m, n, k} around the vector length, degenerate ones included. */
    private static int[][] matmulShapes() {
        Stream.Builder<int[]> b = Stream.builder();
        for (int n : SIZES) {
            if (n > 100) continue;
            b.add(new int[] {3, n, 5});
            b.add(new int[] {n, 2, n});
            b.add(new int[] {n + 1, n + 2, 3});
        }
        for (int m = 1; m <= 8; m++) {  // the matrix-vector path: one row per sequence, as when generating
            for (int n : new int[] {0, 1, L - 1, L, L + 1, 8 * L + 1}) {
                for (int k : new int[] {0, 1, L - 1, L, L + 1}) b.add(new int[] {m, n, k});
            }
        }
        b.add(new int[] {4, 3, 0});
        b.add(new int[] {67, 131, 97});
        return b.build().toArray(int[][]::new);
    }

    @ParameterizedTest(name = "{0}")
    @MethodSource("backends")
    void batchedMatmulWithTransposedAndBroadcastOperandsMatchesTheReference(Backend backend) {
        Random rnd = new Random(9);
        for (int[] s : matmulShapes()) {
            int m = s[0], n = s[1], k = s[2];
            for (boolean transposeA : new boolean[] {false, true}) {
                for (boolean transposeB : new boolean[] {false, true}) {
                    String what = backend.name() + " matmul m=" + m + " n=" + n + " k=" + k
                            + (transposeA ? " A^T" : "") + (transposeB ? " B^T" : "");
                    // A: batch 2 at offsets 1 and 1 + m k; B: one matrix broadcast over the batch.
                    double[] a = values(rnd, 1 + 2 * m * k, 1, false), b = values(rnd, k * n, 1, false);
                    int[] aOffsets = {1, 1 + m * k}, bOffsets = {0, 0};
                    int aRow = transposeA ? 1 : k, aCol = transposeA ? m : 1;
                    int bRow = transposeB ? 1 : n, bCol = transposeB ? k : 1;
                    double[] want = new double[2 * m * n], got = new double[2 * m * n];
                    REFERENCE.matmul(want, a, aOffsets, aRow, aCol, b, bOffsets, bRow, bCol, m, n, k);
                    backend.matmul(got, a, aOffsets, aRow, aCol, b, bOffsets, bRow, bCol, m, n, k);
                    Compare.exact(what + " F64", want, got);

                    float[] wantF = new float[2 * m * n], gotF = new float[2 * m * n];
                    REFERENCE.matmul(wantF, toFloat(a), aOffsets, aRow, aCol, toFloat(b), bOffsets, bRow, bCol, m, n, k);
                    backend.matmul(gotF, toFloat(a), aOffsets, aRow, aCol, toFloat(b), bOffsets, bRow, bCol, m, n, k);
                    double[] magnitude = new double[2 * m * n];
                    REFERENCE.matmul(magnitude, abs(a), aOffsets, aRow, aCol, abs(b), bOffsets, bRow, bCol, m, n, k);
                    for (int i = 0; i < magnitude.length; i++) magnitude[i] *= (k + 2) * U;
                    Compare.within(what + " F32", wantF, gotF, magnitude);
                }
            }
        }
    }
}
