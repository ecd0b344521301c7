package dev.jtune.core.backend;

import static dev.jtune.core.backend.ContractInputs.toFloat;
import static dev.jtune.core.backend.ContractInputs.values;
import static org.junit.jupiter.api.Assertions.assertArrayEquals;

import dev.jtune.core.kernels.Parallel;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Random;
import java.util.stream.Stream;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.MethodSource;

/**
 * Every backend's F32 results are bit-for-bit the same with 1, 2 and 3 threads, on inputs large enough that the
 * kernels split them, at odd sizes so split points fall in the middle of vectors and rows.
 */
class ThreadCountDeterminismTest {

    static Stream<HostBackend> backends() {
        return Stream.of(new CpuBackend(), new ReferenceBackend());
    }

    @ParameterizedTest(name = "{0}")
    @MethodSource("backends")
    void resultsAreBitIdenticalForOneTwoAndThreeThreads(HostBackend backend) {
        int saved = Parallel.threads();
        try {
            List<float[]> first = null;
            for (int threads = 1; threads <= 3; threads++) {
                Parallel.setThreads(threads);
                List<float[]> results = runEveryKernel(backend);
                if (first == null) {
                    first = results;
                } else {
                    for (int i = 0; i < first.size(); i++) {
                        assertArrayEquals(first.get(i), results.get(i),
                                backend.name() + ": result " + i + " differs between 1 and " + threads + " threads");
                    }
                }
            }
        } finally {
            Parallel.setThreads(saved);
        }
    }

    /** One result per kernel shape that the CPU backend parallelizes, from the same seeded inputs on every call. */
    private static List<float[]> runEveryKernel(HostBackend backend) {
        Random rnd = new Random(10);
        List<float[]> results = new ArrayList<>();
        int n = 100_003;
        float[] a = toFloat(values(rnd, n, 3, false)), b = toFloat(values(rnd, n, 3, false));
        for (UnaryOp op : UnaryOp.values()) {
            float[] out = new float[n - 1];
            backend.unary(op, out, a, 1, n - 1);
            results.add(out);
        }
        int rows = 331, cols = 301; // rows * cols < n
        for (BinaryOp op : BinaryOp.values()) {
            float[] out = new float[rows * cols];
            backend.binary(op, out, a, 0, new int[] {cols, 1}, b, 5, new int[] {0, 1}, new int[] {rows, cols});
            results.add(out);
        }
        for (boolean tanh : new boolean[] {false, true}) {
            float[] y = new float[rows * cols], dx = new float[rows * cols], dbias = new float[cols];
            backend.biasGelu(y, a, b, rows, cols, tanh);
            backend.biasGeluBackward(dx, dbias, b, a, y, rows, cols, tanh);
            results.add(y);
            results.add(dx);
            results.add(dbias);
        }
        float[] selected = new float[rows * cols], triangle = new float[rows * cols];
        backend.where(selected, b, a, b, rows * cols);
        backend.triangle(triangle, a, 1, rows, cols, 2, true);
        results.add(selected);
        results.add(triangle);
        float[] copied = new float[rows * cols], intoSlice = new float[rows * (cols + 7)];
        backend.copy(copied, 0, new int[] {cols, 1}, a, 0, new int[] {1, rows}, new int[] {rows, cols});
        backend.copy(intoSlice, 3, new int[] {cols + 7, 1}, a, 0, new int[] {1, rows}, new int[] {rows, cols});
        results.add(copied);
        results.add(intoSlice);
        for (ReduceOp op : ReduceOp.values()) {
            float[] lastDim = new float[rows], middleDim = new float[3 * 1001];
            backend.reduce(op, lastDim, a, rows, cols, 1);
            backend.reduce(op, middleDim, a, 3, 31, 1001);
            results.add(lastDim);
            results.add(middleDim);
        }
        long squares = Double.doubleToRawLongBits(backend.sumOfSquares(a, n));  // 7 blocks, the last one short
        results.add(new float[] {squares >>> 48, squares >>> 32 & 0xFFFF, squares >>> 16 & 0xFFFF, squares & 0xFFFF});
        int vocab = 50257;
        float[] logits = toFloat(values(rnd, 4 * vocab, 5, false)), g = toFloat(values(rnd, 4 * vocab, 1, false));
        for (boolean log : new boolean[] {false, true}) {
            float[] y = new float[4 * vocab], gradIn = new float[4 * vocab];
            backend.softmax(y, logits, 4, vocab, log);
            backend.softmaxBackward(gradIn, g, y, 4, vocab, log);
            results.add(y);
            results.add(gradIn);
        }
        int[] target = rnd.ints(4, 0, vocab).toArray();
        float[] logProbs = new float[4 * vocab];
        backend.softmax(logProbs, logits, 4, vocab, true);
        backend.crossEntropyBackward(logProbs, g, 1, 1, target, -100, 4, vocab);
        results.add(logProbs);
        int heads = 3, t = 150, hs = 19;  // each head a task of its own
        float[] q = Arrays.copyOf(a, heads * t * hs), out = new float[q.length], p = new float[heads * t * t];
        float[] dq = new float[q.length], dk = new float[q.length], dv = new float[q.length];
        AttentionMask causal = new AttentionMask(heads, true, null, null, 1);
        backend.attention(out, p, q, q, q, causal, heads, t, t, hs, hs, KvLayout.dense(t, hs, hs), 0.25f);
        backend.attentionBackward(dq, dk, dv, out, p, q, q, q, causal, heads, t, t, hs, hs, 0.25f);
        results.addAll(List.of(out, p, dq, dk, dv));
        int[] index = rnd.ints(300, 0, 50).toArray();
        float[] gathered = new float[300 * 331], scattered = new float[50 * 331];
        backend.indexSelect(gathered, a, index, 1, 50, 331);
        backend.indexAdd(scattered, gathered, index, 1, 50, 331);
        results.add(gathered);
        results.add(scattered);
        float[] product = new float[2 * 97 * 131];
        backend.matmul(product, a, new int[] {0, 97 * 67}, 67, 1, b, new int[] {0, 0}, 1, 67, 97, 131, 67);
        results.add(product);
        for (int m : new int[] {1, 5, 8}) {  // the matrix-vector path, B row-major and B transposed
            float[] rowMajor = new float[m * 331], transposed = new float[m * 331];
            backend.matmul(rowMajor, b, new int[] {3}, 301, 1, a, new int[] {1}, 331, 1, m, 331, 301);
            backend.matmul(transposed, b, new int[] {3}, 301, 1, a, new int[] {1}, 1, 301, m, 331, 301);
            results.add(rowMajor);
            results.add(transposed);
        }
        return results;
    }
}
