package dev.jtune.core.kernels;

/** Index arithmetic shared by the kernels that read strided views into a contiguous output. */
public final class Strided {

    private Strided() {}

    /** The number of elements of {@code shape} (1 for rank 0). */
    public static int numel(int[] shape) {
        int n = 1;
        for (int s : shape) n *= s;
        return n;
    }
}
