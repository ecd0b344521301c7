package dev.jtune.core.backend;

import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import java.util.ServiceLoader;

/**
 * Finds the backends on the class path with {@link ServiceLoader} and picks one: the one named by the system property
 * {@code jtune.backend}, else the one with the highest {@link Backend#priority()}.
 */
public final class Backends {

    private static final List<Backend<?>> AVAILABLE = load();
    private static volatile Backend<?> current = choose(System.getProperty("jtune.backend"));

    private Backends() {}

    /** Every backend found, highest priority first. */
    public static List<Backend<?>> available() {
        return AVAILABLE;
    }

    /** The backend ops dispatch to. */
    public static Backend<?> current() {
        return current;
    }

    /**
     * The current backend, typed for the buffers {@code Storage.kernelBuffer()} hands out: under it, every storage's
     * kernel buffer is of the backend's own type, so the unchecked view is safe for callers that pass only those.
     */
    @SuppressWarnings("unchecked")
    public static Backend<Object> currentForKernelBuffers() {
        return (Backend<Object>) current;
    }

    /** The backend with this name. */
    public static Backend<?> byName(String name) {
        for (Backend<?> b : AVAILABLE) {
            if (b.name().equals(name)) return b;
        }
        String hint = name.equals("tornado") ? " (the TornadoVM backend needs its SDK: run ./jtune setup tornado, or set "
                + "TORNADOVM_HOME, and start jtune through ./jtune)" : "";
        throw new IllegalArgumentException("no backend named '" + name + "'" + hint + "; available: "
                + AVAILABLE.stream().map(Backend::name).toList());
    }

    /** Makes {@code backend} the current one and returns the previous one (tests switch and restore). */
    public static Backend<?> use(Backend<?> backend) {
        Backend<?> previous = current;
        current = backend;
        return previous;
    }

    private static List<Backend<?>> load() {
        List<Backend<?>> found = new ArrayList<>();
        ServiceLoader.load(Backend.class).forEach(found::add);
        if (found.stream().noneMatch(b -> b instanceof ReferenceBackend)) found.add(new ReferenceBackend());
        found.sort(Comparator.comparingInt((Backend<?> b) -> b.priority()).reversed());
        return List.copyOf(found);
    }

    private static Backend<?> choose(String name) {
        return name == null || name.isBlank() ? AVAILABLE.getFirst() : byName(name);
    }
}
