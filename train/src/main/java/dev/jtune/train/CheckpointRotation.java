package dev.jtune.train;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Collections;
import java.util.List;

/** {@code save_total_limit}: which checkpoints under an output directory survive a new save. */
final class CheckpointRotation {

    private CheckpointRotation() {}

    /**
     * Deletes the oldest checkpoints beyond {@code limit}, never the best one, as transformers'
     * {@code _rotate_checkpoints}: the best is moved next to the newest before the cut, and a limit of 1 keeps 2 when
     * the best is not the newest (so training can resume).
     */
    static void rotate(Path outputDir, Integer limit, String bestCheckpoint) throws IOException {
        if (limit == null) return;
        List<Path> sorted = CheckpointIO.checkpoints(outputDir);
        int keep = limit;
        if (bestCheckpoint != null) {
            Path best = Path.of(bestCheckpoint);
            int i = indexOf(sorted, best);
            if (i >= 0) {
                for (; i < sorted.size() - 2; i++) Collections.swap(sorted, i, i + 1);
                if (keep == 1 && !sameFile(sorted.getLast(), best)) keep = 2;
            }
        }
        for (int i = 0; i < sorted.size() - keep; i++) CheckpointIO.deleteRecursively(sorted.get(i));
    }

    private static int indexOf(List<Path> paths, Path p) throws IOException {
        for (int i = 0; i < paths.size(); i++) if (sameFile(paths.get(i), p)) return i;
        return -1;
    }

    private static boolean sameFile(Path a, Path b) throws IOException {
        return Files.exists(b) && Files.isSameFile(a, b);
    }
}
