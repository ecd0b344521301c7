package dev.jtune.tornado;

import dev.jtune.core.backend.BinaryOp;
import uk.ac.manchester.tornado.api.KernelContext;
import uk.ac.manchester.tornado.api.types.arrays.FloatArray;
import uk.ac.manchester.tornado.api.types.arrays.IntArray;

/**
 * Device kernels over independent elements: each work-item strides over the elements ({@link Grid#elements}), so a
 * launch of any size fits one grid. Operands are offsets into the device heap; the layouts of {@code args} are given
 * per kernel, {@code [n, out, a]} meaning {@code args[0] = n, args[1] = out, args[2] = a}.
 */
final class ElementwiseKernels {

    /** Where the shape starts in the args of {@link #binary} and {@link #copy}; strides follow at +RANK, +2 RANK. */
    static final int BINARY_SHAPE = 6, COPY_SHAPE = 4;
    /** The largest rank of a strided operand. */
    static final int RANK = 8;

    private ElementwiseKernels() {}

    /** {@code heap[out + i] = scalars[0]} for {@code i < n}; args {@code [n, out]}. */
    static void fill(KernelContext k, FloatArray heap, IntArray ints, IntArray args, FloatArray scalars) {
        int n = args.get(0), out = args.get(1);
        float value = scalars.get(0);
        for (int i = k.globalIdx; i < n; i += k.globalGroupSizeX) heap.set(out + i, value);
    }

    /**
     * {@code heap[out + i] = op(heap[a + i])}; args {@code [n, out, a, op]} (op: a {@link
     * DeviceMath#code}).
     */
    static void unary(KernelContext k, FloatArray heap, IntArray ints, IntArray args, FloatArray scalars) {
        int n = args.get(0), out = args.get(1), a = args.get(2), op = args.get(3);
        for (int i = k.globalIdx; i < n; i += k.globalGroupSizeX) {
            heap.set(out + i, DeviceMath.unary(op, heap.get(a + i)));
        }
    }

    /**
     * {@code out[idx] = op(a[idx], b[idx])} over a contiguous {@code out} of a shape of rank &lt;= 8, with a and b read
     * through strides (0 broadcasts); computed in double, rounded once. Args {@code [n, out, a, b, op, rank, shape[8],
     * aStrides[8], bStrides[8]]} (op: a {@link #code(BinaryOp)}).
     */
    static void binary(KernelContext k, FloatArray heap, IntArray ints, IntArray args, FloatArray scalars) {
        int n = args.get(0), out = args.get(1), op = args.get(4), rank = args.get(5);
        for (int i = k.globalIdx; i < n; i += k.globalGroupSizeX) {
            int a = position(args, args.get(2), BINARY_SHAPE, BINARY_SHAPE + RANK, rank, i);
            int b = position(args, args.get(3), BINARY_SHAPE, BINARY_SHAPE + 2 * RANK, rank, i);
            heap.set(out + i, (float) binaryOp(op, heap.get(a), heap.get(b)));
        }
    }

    /**
     * {@code out[idx] = a[idx]}: a strided view into a strided view, both of a shape of rank &lt;= 8 (a's strides may
     * be 0); args {@code [n, out, a, rank, shape[8], outStrides[8], aStrides[8]]}.
     */
    static void copy(KernelContext k, FloatArray heap, IntArray ints, IntArray args, FloatArray scalars) {
        int n = args.get(0), rank = args.get(3);
        for (int i = k.globalIdx; i < n; i += k.globalGroupSizeX) {
            int out = position(args, args.get(1), COPY_SHAPE, COPY_SHAPE + RANK, rank, i);
            int a = position(args, args.get(2), COPY_SHAPE, COPY_SHAPE + 2 * RANK, rank, i);
            heap.set(out, heap.get(a));
        }
    }

    /**
     * The heap position of row-major element {@code i} of a strided operand: {@code offset + sum(idx[d] *
     * strides[d])}, with the shape at {@code args[shapeAt..]} and the strides at {@code args[stridesAt..]}.
     */
    private static int position(IntArray args, int offset, int shapeAt, int stridesAt, int rank, int i) {
        int rest = i, at = offset;
        for (int d = rank - 1; d >= 0; d--) {
            int size = args.get(shapeAt + d);
            at += rest % size * args.get(stridesAt + d);
            rest /= size;
        }
        return at;
    }

    /**
     * One AdamW step in place (core's {@code AdamWStep}, float arithmetic as in {@code ScalarAdamW}); args {@code [n,
     * p, g, m, v, decays]}, scalars {@code [decay, w1, beta2, w2, stepSize, bc2Sqrt, eps, gradScale]}.
     */
    static void adamw(KernelContext k, FloatArray heap, IntArray ints, IntArray args, FloatArray scalars) {
        int n = args.get(0), p = args.get(1), g = args.get(2), m = args.get(3), v = args.get(4);
        boolean decays = args.get(5) != 0;
        float decay = scalars.get(0), w1 = scalars.get(1), beta2 = scalars.get(2), w2 = scalars.get(3);
        float stepSize = scalars.get(4), bc2Sqrt = scalars.get(5), eps = scalars.get(6), gradScale = scalars.get(7);
        for (int i = k.globalIdx; i < n; i += k.globalGroupSizeX) {
            float gi = heap.get(g + i) * gradScale;
            float pi = decays ? heap.get(p + i) * decay : heap.get(p + i);
            float mi = heap.get(m + i);
            mi = mi + w1 * (gi - mi);
            float vi = heap.get(v + i) * beta2 + w2 * gi * gi;
            float denom = (float) Math.sqrt(vi) / bc2Sqrt + eps;
            heap.set(p + i, pi + stepSize * mi / denom);
            heap.set(m + i, mi);
            heap.set(v + i, vi);
        }
    }

    /** The op codes {@link #binary} receives, one per {@link BinaryOp} (see {@link #code}). */
    static final int ADD = 0, SUB = 1, MUL = 2, DIV = 3, POW = 4, MAXIMUM = 5, MINIMUM = 6, EQ = 7, GT = 8;

    /** The kernel's code for {@code op}: spelled out, so that reordering the enum cannot change what a kernel runs. */
    static int code(BinaryOp op) {
        return switch (op) {
            case ADD -> ADD;
            case SUB -> SUB;
            case MUL -> MUL;
            case DIV -> DIV;
            case POW -> POW;
            case MAXIMUM -> MAXIMUM;
            case MINIMUM -> MINIMUM;
            case EQ -> EQ;
            case GT -> GT;
        };
    }

    /** The binary op with code {@code op}, as core's ScalarOps defines it. */
    static double binaryOp(int op, double x, double y) {
        return switch (op) {
            case ADD -> x + y;
            case SUB -> x - y;
            case MUL -> x * y;
            case DIV -> x / y;
            case POW -> pow(x, y);
            case MAXIMUM -> DeviceMath.max(x, y);
            case MINIMUM -> DeviceMath.min(x, y);
            case EQ -> x == y ? 1 : 0;
            default -> x > y ? 1 : 0;
        };
    }

    /**
     * {@link Math#pow}: OpenCL's (C99's) pow gives 1 for {@code 1 ** NaN} and {@code (-1) ** +-inf} where Java gives
     * NaN, so those cases are settled first (NaN made as {@code inf - inf}: the device compiler cannot spell a NaN
     * constant).
     */
    private static double pow(double x, double y) {
        if (y != y) return y;
        if ((x == 1 || x == -1) && (y == Double.POSITIVE_INFINITY || y == Double.NEGATIVE_INFINITY)) return y - y;
        return Math.pow(x, y);
    }
}
