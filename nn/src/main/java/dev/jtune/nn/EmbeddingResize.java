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
        if (!old.dtype().isCompute()) {  // a frozen BF16/F16 base: the mean taken in F32, as transformers does
            Tensor wide = old.to(DType.F32), resized = resized(wide, newSize);
            Tensor held = resized.to(old.dtype());
            wide.storage().release("an F32 copy for resizing");
            resized.storage().release("rounded back to " + old.dtype());
            return held;
        }
        int v = old.size(0);
        try (var scope = GradMode.noGrad()) {
            if (newSize <= v) return old.narrow(0, 0, newSize).clone();
            Tensor mean = old.mean(0, true);  // (1, C)
            return Tensor.cat(List.of(old, mean.expand(newSize - v, old.size(1))), 0);
        }
    }
}
