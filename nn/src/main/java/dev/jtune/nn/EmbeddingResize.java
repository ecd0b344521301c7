package dev.jtune.nn;

import dev.jtune.core.DType;
import dev.jtune.core.Tensor;
import dev.jtune.core.autograd.GradMode;
import java.util.List;

/** Grows or shrinks an embedding matrix, new rows set to the mean of the old rows. */
public final class EmbeddingResize {

    private EmbeddingResize() {}

    /**
     * @param old [V, C]
     * @return [newSize, C]: the first {@code min(V, newSize)} rows of {@code old}, then copies of the mean row
     */
    public static Tensor resized(Tensor old, int newSize) {
        if (newSize <= 0) throw new IllegalArgumentException("resizeTokenEmbeddings: size must be positive, got " + newSize);
        int v = old.size(0);
        try (var scope = GradMode.noGrad()) {
            if (newSize <= v) return old.narrow(0, 0, newSize).clone();
            return Tensor.cat(List.of(old, meanRow(old).expand(newSize - v, old.size(1))), 0);
        }
    }

    /** The mean of the rows, (1, C), taken in F32: a BF16/F16 table (a frozen base) is widened for it, as transformers does. */
    private static Tensor meanRow(Tensor old) {
        if (old.dtype().isCompute()) return old.mean(0, true);
        Tensor wide = old.to(DType.F32);
        Tensor mean = wide.mean(0, true).to(old.dtype());
        wide.storage().release("widened to take the mean of its rows");
        return mean;
    }
}
