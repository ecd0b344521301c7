package dev.jtune.core.autograd;

/**
 * Whether ops record the graph for backward, per thread. {@code try (var g = GradMode.noGrad()) { ... }} turns
 * recording off inside the block, like {@code with torch.no_grad():}.
 */
public final class GradMode {

    private static final ThreadLocal<Boolean> ENABLED = ThreadLocal.withInitial(() -> true);

    private GradMode() {}

    /** True when ops record the graph on this thread. */
    public static boolean isEnabled() {
        return ENABLED.get();
    }

    /** A scope with recording off; closing it restores the previous setting. */
    public static Scope noGrad() {
        return set(false);
    }

    /** A scope with recording on (inside a no-grad block); closing it restores the previous setting. */
    public static Scope enableGrad() {
        return set(true);
    }

    private static Scope set(boolean enabled) {
        boolean previous = ENABLED.get();
        ENABLED.set(enabled);
        return () -> ENABLED.set(previous);
    }

    /** A try-with-resources scope that cannot throw on close. */
    public interface Scope extends AutoCloseable {
        @Override
        void close();
    }
}
