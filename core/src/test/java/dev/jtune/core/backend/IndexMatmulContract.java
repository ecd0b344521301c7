package dev.jtune.core.backend;

import static dev.jtune.core.backend.ContractInputs.L;
import static dev.jtune.core.backend.ContractInputs.SIZES;
import static dev.jtune.core.backend.ContractInputs.U;
import static dev.jtune.core.backend.ContractInputs.abs;
import static dev.jtune.core.backend.ContractInputs.toFloat;
import static dev.jtune.core.backend.ContractInputs.values;

import dev.jtune.core.io.HalfFloats;
import java.util.Random;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;

/**
 * The gather, scatter-add and matmul part of the backend contract, against {@link ReferenceBackend}. Accumulating F32
 * results are held to the bound {@code (terms + 2) u} times the same computation on absolute values.
 */
public interface IndexMatmulContract extends ContractTarget {

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

    @Test
    default void indexSelectGathersExactlyAndIndexAddAccumulatesLikeTheReference() {
        Random rnd = new Random(8);
        for (int[] s : indexShapes()) {
            int outer = s[0], dim = s[1], inner = s[2];
            int[] index = rnd.ints(s[3], 0, dim).toArray();
            String what = backend().name() + " [" + outer + "," + dim + "," + inner + "] index length " + index.length;
            int selected = outer * index.length * inner;

            double[] a = values(rnd, outer * dim * inner, 2, false);
            float[] wantF = new float[selected], gotF = new float[selected];
            REFERENCE.indexSelect(wantF, toFloat(a), index, outer, dim, inner);
            backend().indexSelect(gotF, toFloat(a), index, outer, dim, inner);
            Compare.exact(what + " indexSelect", wantF, gotF);

            double[] src = values(rnd, selected, 2, false), base = values(rnd, outer * dim * inner, 2, false);
            float[] wantAddF = toFloat(base), gotAddF = toFloat(base);
            REFERENCE.indexAdd(wantAddF, toFloat(src), index, outer, dim, inner);
            backend().indexAdd(gotAddF, toFloat(src), index, outer, dim, inner);
            double[] magnitude = abs(base);
            F64Kernels.indexAdd(magnitude, abs(src), index, outer, dim, inner);
            for (int i = 0; i < magnitude.length; i++) magnitude[i] *= (index.length + 2) * U;
            assertWithin(what + " indexAdd", wantAddF, gotAddF, magnitude);
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

    @Test
    default void batchedMatmulWithTransposedAndBroadcastOperandsMatchesTheReference() {
        Random rnd = new Random(9);
        for (int[] s : matmulShapes()) {
            int m = s[0], n = s[1], k = s[2];
            for (boolean transposeA : new boolean[] {false, true}) {
                for (boolean transposeB : new boolean[] {false, true}) {
                    String what = backend().name() + " matmul m=" + m + " n=" + n + " k=" + k
                            + (transposeA ? " A^T" : "") + (transposeB ? " B^T" : "");
                    // A: batch 2 at offsets 1 and 1 + m k; B: one matrix broadcast over the batch.
                    double[] a = values(rnd, 1 + 2 * m * k, 1, false), b = values(rnd, k * n, 1, false);
                    int[] aOffsets = {1, 1 + m * k}, bOffsets = {0, 0};
                    int aRow = transposeA ? 1 : k, aCol = transposeA ? m : 1;
                    int bRow = transposeB ? 1 : n, bCol = transposeB ? k : 1;
                    float[] wantF = new float[2 * m * n], gotF = new float[2 * m * n];
                    REFERENCE.matmul(wantF, toFloat(a), aOffsets, aRow, aCol, toFloat(b), bOffsets, bRow, bCol, m, n, k);
                    backend().matmul(gotF, toFloat(a), aOffsets, aRow, aCol, toFloat(b), bOffsets, bRow, bCol, m, n, k);
                    double[] magnitude = new double[2 * m * n];
                    F64Kernels.matmul(magnitude, abs(a), aOffsets, aRow, aCol, abs(b), bOffsets, bRow, bCol, m, n, k);
                    for (int i = 0; i < magnitude.length; i++) magnitude[i] *= (k + 2) * U;
                    assertWithin(what, wantF, gotF, magnitude);
                }
            }
        }
    }

    /**
     * A half-precision B (a frozen bf16 or f16 weight) gives the bits of the backend's own product on B converted to
     * F32 (the conversion is exact), matrix-vector rows and tiles, across packing blocks.
     */
    @Test
    default void matmulWithAHalfPrecisionBGivesTheBitsOfTheConvertedB() {
        Random rnd = new Random(10);
        int[][] shapes = {{1, 8 * L + 1, L + 1}, {3, 5, 0}, {5, 131, 97}, {67, 131, 97}, {37, 70, 300}};
        for (int[] s : shapes) {
            int m = s[0], n = s[1], k = s[2];
            for (boolean transposeB : new boolean[] {false, true}) {
                for (boolean bf16 : new boolean[] {true, false}) {
                    String what = backend().name() + " matmulHalfB m=" + m + " n=" + n + " k=" + k
                            + (transposeB ? " B^T" : "") + (bf16 ? " bf16" : " f16");
                    float[] a = toFloat(values(rnd, m * k, 1, false)), b = toFloat(values(rnd, 1 + k * n, 1, false));
                    short[] halves = new short[b.length];
                    for (int i = 0; i < b.length; i++) {
                        halves[i] = bf16 ? HalfFloats.floatToBf16(b[i]) : HalfFloats.floatToF16(b[i]);
                        b[i] = bf16 ? HalfFloats.bf16ToFloat(halves[i]) : HalfFloats.f16ToFloat(halves[i]);
                    }
                    int[] offsets = {0}, bOffsets = {1};
                    int bRow = transposeB ? 1 : n, bCol = transposeB ? k : 1;
                    float[] want = new float[m * n], got = new float[m * n];
                    backend().matmul(want, a, offsets, k, 1, b, bOffsets, bRow, bCol, m, n, k);
                    backend().matmulHalfB(got, a, offsets, k, 1, halves, bf16, bOffsets, bRow, bCol, m, n, k);
                    Compare.exact(what, want, got);
                }
            }
        }
    }
}
