package dev.jtune.core.testing;

import static org.junit.jupiter.api.Assertions.fail;

import java.nio.file.Files;
import java.nio.file.Path;
import org.junit.jupiter.api.Assumptions;

/**
 * Finds the project's {@code shared/} directory (the Hugging Face golden files, the pretrained model, the data sets),
 * which lives beside the checkout ({@code ../shared} from the repository root). Tests that need it call
 * {@link #shared()} or {@link #file}: without it they are skipped with a message, except under {@code CI=true}, where
 * a missing {@code shared/} is a failure.
 */
public final class SharedFixtures {

    private SharedFixtures() {}

    /** The {@code shared/} directory: the nearest {@code shared} holding {@code fixtures} above the working directory. */
    public static Path shared() {
        Path start = Path.of("").toAbsolutePath();
        for (Path dir = start; dir != null; dir = dir.getParent()) {
            Path candidate = dir.resolve("shared");
            if (Files.isDirectory(candidate.resolve("fixtures"))) return candidate;
        }
        String message = "no shared/ directory with fixtures above " + start + " (expected ../shared beside the checkout)";
        if ("true".equals(System.getenv("CI"))) return fail(message);
        return Assumptions.abort(message + "; skipping");
    }

    /** A file under {@code shared/}, such as {@code fixtures/hf/tiny-gpt2/forward.safetensors}; it must exist. */
    public static Path file(String relative) {
        Path file = shared().resolve(relative);
        if (!Files.exists(file)) fail("shared/ is there but " + file + " is missing");
        return file;
    }
}
