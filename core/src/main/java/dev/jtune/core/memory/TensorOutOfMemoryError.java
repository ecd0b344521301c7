package dev.jtune.core.memory;

import dev.jtune.core.DType;
import java.util.Locale;

/**
 * The heap cannot hold a tensor even after the buffer cache was emptied: one line saying what was being allocated,
 * how large it was, the limit, and what to change.
 */
public final class TensorOutOfMemoryError extends OutOfMemoryError {

    public TensorOutOfMemoryError(DType dtype, long elements) {
        super(message(dtype, elements, Runtime.getRuntime()));
    }

    static String message(DType dtype, long elements, Runtime runtime) {
        long used = runtime.totalMemory() - runtime.freeMemory();
        return String.format(Locale.ROOT, "out of memory allocating a %s tensor of %,d elements (%s) with %s of the "
                        + "%s heap limit in use; lower --per-device-train-batch-size or --max-length, or raise the "
                        + "limit with JTUNE_JAVA_OPTS=-Xmx<size> (java -Xmx)",
                dtype, elements, human(BufferPool.bytes(dtype, elements)), human(used), human(runtime.maxMemory()));
    }

    static String human(long bytes) {
        if (bytes >= 1L << 30) return String.format(Locale.ROOT, "%.1f GiB", bytes / (double) (1L << 30));
        if (bytes >= 1L << 20) return String.format(Locale.ROOT, "%.1f MiB", bytes / (double) (1L << 20));
        return String.format(Locale.ROOT, "%.1f KiB", bytes / 1024.0);
    }
}
