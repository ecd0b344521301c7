package dev.jtune.core.kernels;

import java.util.Arrays;

/** Index arithmetic shared by the kernels that read strided views into a contiguous output. */
public final class Strided {

    /** One run along the last dimension: {@code len} outputs from {@code outPos}, inputs from {@code aPos, bPos}. */
    @FunctionalInterface
    public interface RunBody {
        void run(int outPos, int aPos, int bPos, int len);
    }

    /** One element of a strided iteration: its row-major {@code index} and its positions in two operands. */
    @FunctionalInterface
    public interface ElementBody {
        void run(int index, int aPos, int bPos);
    }

    private Strided() {}

    /** The number of elements of {@code shape} (1 for rank 0). */
    public static int numel(int[] shape) {
        int n = 1;
        for (int s : shape) n *= s;
        return n;
    }

    /**
     * The same iteration with fewer, longer dimensions: size-1 dimensions dropped, and each dimension merged into the
     * next when both inputs step through them as one ({@code stride[d] == stride[d+1] * shape[d+1]}), so a contiguous
     * operand becomes one long run. Returns {@code {shape, aStrides, bStrides}}, at least rank 1.
     */
    public static int[][] collapse(int[] shape, int[] aStrides, int[] bStrides) {
        int[] s = new int[Math.max(1, shape.length)], as = new int[s.length], bs = new int[s.length];
        int k = 0; // dims kept, stored from the back: s[s.length - k .. s.length)
        for (int d = shape.length - 1; d >= 0; d--) {
            if (shape[d] == 1) continue;
            int last = s.length - k;
            if (k > 0 && aStrides[d] == as[last] * s[last] && bStrides[d] == bs[last] * s[last]) {
                s[last] *= shape[d];
            } else {
                k++;
                s[last - 1] = shape[d];
                as[last - 1] = aStrides[d];
                bs[last - 1] = bStrides[d];
            }
        }
        if (k == 0) return new int[][] {{1}, {0}, {0}};
        int from = s.length - k;
        return new int[][] {
                Arrays.copyOfRange(s, from, s.length),
                Arrays.copyOfRange(as, from, s.length),
                Arrays.copyOfRange(bs, from, s.length)};
    }

    /**
     * Calls {@code body} for every element of {@code shape} in row-major order (an odometer over the shape), with its
     * positions {@code aOff + idx . aStrides} and {@code bOff + idx . bStrides}: the naive iteration, element by element.
     */
    public static void forEach(int[] shape, int aOff, int[] aStrides, int bOff, int[] bStrides, ElementBody body) {
        int n = numel(shape), rank = shape.length;
        int[] idx = new int[rank];
        int aPos = aOff, bPos = bOff;
        for (int i = 0; i < n; i++) {
            body.run(i, aPos, bPos);
            for (int d = rank - 1; d >= 0; d--) { // advance the odometer by one element
                aPos += aStrides[d];
                bPos += bStrides[d];
                if (++idx[d] < shape[d]) break;
                aPos -= aStrides[d] * shape[d];
                bPos -= bStrides[d] * shape[d];
                idx[d] = 0;
            }
        }
    }

    /**
     * Calls {@code body} for each run of the flat outputs {@code [start, end)} along the last dimension of
     * {@code shape}; a run stops at the end of a row or at {@code end}. The inputs step by the last strides in a run.
     */
    public static void forEachRun(int[] shape, int aOff, int[] aStrides, int bOff, int[] bStrides, int start, int end,
                                  RunBody body) {
        int rank = shape.length, last = rank - 1;
        int[] idx = new int[rank];
        int aPos = aOff, bPos = bOff;
        for (int d = last, rest = start; d >= 0; d--) { // the multi-index of start
            idx[d] = rest % shape[d];
            rest /= shape[d];
            aPos += idx[d] * aStrides[d];
            bPos += idx[d] * bStrides[d];
        }
        for (int pos = start; pos < end; ) {
            int len = Math.min(shape[last] - idx[last], end - pos);
            body.run(pos, aPos, bPos, len);
            pos += len;
            idx[last] += len;
            aPos += len * aStrides[last];
            bPos += len * bStrides[last];
            for (int d = last; d > 0 && idx[d] == shape[d]; d--) { // carry into the next dimension
                aPos += aStrides[d - 1] - shape[d] * aStrides[d];
                bPos += bStrides[d - 1] - shape[d] * bStrides[d];
                idx[d] = 0;
                idx[d - 1]++;
            }
        }
    }
}
