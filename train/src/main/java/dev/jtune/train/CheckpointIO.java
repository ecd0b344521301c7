package dev.jtune.train;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import java.util.stream.Stream;

/**
 * Checkpoint directories {@code outputDir/checkpoint-N}, written atomically: every file goes into a hidden
 * {@code .tmp-checkpoint-N} directory, which is renamed into place only when complete. A crash mid-write leaves at
 * most a temporary directory that {@link #checkpoints} ignores, so the previous checkpoints stay the newest complete
 * ones; {@link CheckpointRotation} deletes old checkpoints only after the new one is in place.
 */
final class CheckpointIO {

    static final String PREFIX = "checkpoint-";
    private static final Pattern NAME = Pattern.compile(PREFIX + "(\\d+)");
    /** The file whose presence marks a complete checkpoint (written last). */
    static final String COMPLETE_MARKER = "trainer_state.json";

    /** Writes one file of a checkpoint into a directory. */
    @FunctionalInterface
    interface Part {
        void write(Path dir) throws IOException;
    }

    /** Called before each file is written; tests use it to simulate a crash in the middle of a checkpoint. */
    @FunctionalInterface
    interface WriteHook {
        void beforeWrite(String fileName) throws IOException;
    }

    private final WriteHook hook;

    CheckpointIO() {
        this(fileName -> {});
    }

    CheckpointIO(WriteHook hook) {
        this.hook = hook;
    }

    /**
     * Writes {@code parts} (file name to writer, in order) as {@code outputDir/checkpoint-step}, replacing an
     * existing checkpoint of that step only once the new one is complete.
     */
    Path save(Path outputDir, int step, LinkedHashMap<String, Part> parts) throws IOException {
        Files.createDirectories(outputDir);
        Path target = outputDir.resolve(PREFIX + step);
        Path tmp = outputDir.resolve(".tmp-" + PREFIX + step);
        deleteRecursively(tmp);
        Files.createDirectory(tmp);
        try {
            for (var e : parts.entrySet()) {
                hook.beforeWrite(e.getKey());
                e.getValue().write(tmp);
            }
            if (Files.exists(target)) {
                Path old = outputDir.resolve(".old-" + PREFIX + step);
                deleteRecursively(old);
                Files.move(target, old, StandardCopyOption.ATOMIC_MOVE);
                Files.move(tmp, target, StandardCopyOption.ATOMIC_MOVE);
                deleteRecursively(old);
            } else {
                Files.move(tmp, target, StandardCopyOption.ATOMIC_MOVE);
            }
        } catch (IOException | RuntimeException e) {
            try {
                deleteRecursively(tmp);
            } catch (IOException | UncheckedIOException cleanup) {
                e.addSuppressed(cleanup);
            }
            throw e;
        }
        return target;
    }

    /** The complete checkpoints under {@code outputDir}, oldest (smallest step) first. */
    static List<Path> checkpoints(Path outputDir) throws IOException {
        if (!Files.isDirectory(outputDir)) return List.of();
        Map<Integer, Path> found = new java.util.TreeMap<>();
        try (Stream<Path> entries = Files.list(outputDir)) {
            for (Path p : (Iterable<Path>) entries::iterator) {
                Matcher m = NAME.matcher(p.getFileName().toString());
                if (m.matches() && Files.isRegularFile(p.resolve(COMPLETE_MARKER))) found.put(Integer.parseInt(m.group(1)), p);
            }
        }
        return new ArrayList<>(found.values());
    }

    /** The newest complete checkpoint under {@code outputDir}, or null. */
    static Path latest(Path outputDir) throws IOException {
        List<Path> all = checkpoints(outputDir);
        return all.isEmpty() ? null : all.getLast();
    }

    static void deleteRecursively(Path dir) throws IOException {
        if (!Files.exists(dir)) return;
        try (Stream<Path> walk = Files.walk(dir)) {
            for (Path p : (Iterable<Path>) walk.sorted(Comparator.reverseOrder())::iterator) Files.delete(p);
        }
    }
}
