package dev.jtune.nn;

import dev.jtune.core.DType;
import dev.jtune.core.Tensor;
import dev.jtune.core.io.HalfFloats;
import java.util.Arrays;

/**
 * The lookup of a frozen BF16/F16 embedding: only the selected rows are converted to F32, not the whole {@code [V, C]}
 * table (a frozen LoRA base keeps its embedding as loaded). No gradient flows to the table.
 */
final class FrozenEmbedding {

    private FrozenEmbedding() {}

    /**
     * @param weight [V, C] BF16 or F16
     * @param ids    [...] integer ids in [0, V)
     * @return [..., C] F32
     */
    static Tensor lookup(Tensor weight, Tensor ids) {
        if (weight.dim() != 2) throw new IllegalArgumentException("embedding: weight must be [V, C], got " + weight.shapeString());
        Tensor w = weight.contiguous();
        int v = w.size(0), c = w.size(1), base = w.offset();
        boolean bf16 = w.dtype() == DType.BF16;
        short[] bits = w.storage().halves();
        long[] index = ids.toLongArray();
        float[] out = new float[index.length * c];
        for (int i = 0; i < index.length; i++) {
            long id = index[i];
            if (id < 0 || id >= v) {
                throw new IndexOutOfBoundsException("embedding: id " + id + " at position " + i + " is outside [0, " + v + ")");
            }
            int row = base + (int) id * c;
            for (int j = 0; j < c; j++) {
                short h = bits[row + j];
                out[i * c + j] = bf16 ? HalfFloats.bf16ToFloat(h) : HalfFloats.f16ToFloat(h);
            }
        }
        int[] shape = Arrays.copyOf(ids.shape(), ids.dim() + 1);
        shape[ids.dim()] = c;
        return Tensor.of(out, shape);
    }
}
