package dev.jtune.core.ops;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertNotSame;
import static org.junit.jupiter.api.Assertions.assertSame;

import dev.jtune.core.DType;
import dev.jtune.core.Generator;
import dev.jtune.core.Tensor;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import net.jqwik.api.Example;
import net.jqwik.api.ForAll;
import net.jqwik.api.Property;
import net.jqwik.api.constraints.IntRange;

/**
 * {@link Views#reshape} of strided tensors: a view when strides can express the new shape (PyTorch's rule), a copy
 * otherwise, and in both cases the same elements as reshaping a contiguous copy.
 */
class ReshapeProperties {

    @Property(tries = 300)
    void aReshapedStridedTensorHoldsTheElementsOfTheReshapedCopy(@ForAll @IntRange(min = 1, max = 4) int rank,
                                                                  @ForAll long seed) {
        Generator g = new Generator(seed);
        int[] shape = new int[rank];
        for (int d = 0; d < rank; d++) shape[d] = 1 + g.nextInt(4);
        Tensor base = Tensor.randn(g, DType.F32, grown(shape, g));
        Tensor narrowed = narrowed(base, shape);                     // a view with gaps: [shape]
        Tensor strided = g.nextInt(2) == 1 && rank > 1 ? narrowed.transpose(0, rank - 1) : narrowed;
        int[] target = regrouped(strided.shape(), g);

        Tensor reshaped = strided.reshape(target);
        assertArrayEquals(strided.contiguous().reshape(target).toFloatArray(), reshaped.toFloatArray(),
                () -> "reshape of shape " + strided.shapeString() + " strides " + Arrays.toString(strided.strides())
                        + " to " + Arrays.toString(target));
        if (Views.viewStrides(strided.shape(), strided.strides(), target) != null) {
            assertSame(strided.storage(), reshaped.storage(), "a view when strides allow");
        }
    }

    @Example
    void splittingTheLastDimOfANarrowedTensorIsAViewAndMergingTransposedDimsIsACopy() {
        Tensor qkv = Tensor.randn(new Generator(1), DType.F32, 2, 5, 12);   // [B, T, 3C]
        Tensor q = qkv.narrow(2, 4, 4).reshape(2, 5, 2, 2);                 // heads of a slice: a view
        assertSame(qkv.storage(), q.storage());
        assertArrayEquals(new int[] {60, 12, 2, 1}, q.strides());
        Tensor merged = q.transpose(1, 2).reshape(2, 2, 10);                 // [B, nh, T*hs] from [B, nh, T, hs]^T
        assertNotSame(qkv.storage(), merged.storage());
        assertArrayEquals(q.transpose(1, 2).contiguous().toFloatArray(), merged.toFloatArray());
    }

    /** Each dim grown by up to 2, so that narrowing back leaves gaps. */
    private static int[] grown(int[] shape, Generator g) {
        int[] out = shape.clone();
        for (int d = 0; d < out.length; d++) out[d] += g.nextInt(3);
        return out;
    }

    private static Tensor narrowed(Tensor base, int[] shape) {
        Tensor t = base;
        for (int d = 0; d < shape.length; d++) t = t.narrow(d, base.size(d) - shape[d], shape[d]);
        return t;
    }

    /** A random shape with the same elements: the dims' prime factors regrouped in order, with 1s sprinkled in. */
    private static int[] regrouped(int[] shape, Generator g) {
        List<Integer> factors = new ArrayList<>();
        for (int s : shape) {
            for (int f = 2, n = s; n > 1; ) {
                if (n % f == 0) {
                    factors.add(f);
                    n /= f;
                } else {
                    f++;
                }
            }
        }
        List<Integer> out = new ArrayList<>();
        int current = 1;
        for (int f : factors) {
            current *= f;
            if (g.nextInt(2) == 0) {
                out.add(current);
                current = 1;
            }
            if (g.nextInt(4) == 0) out.add(1);
        }
        if (current > 1 || out.isEmpty()) out.add(current);
        return out.stream().mapToInt(Integer::intValue).toArray();
    }
}
