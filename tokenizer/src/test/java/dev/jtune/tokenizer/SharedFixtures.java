package dev.jtune.tokenizer;

import static org.junit.jupiter.api.Assertions.fail;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.Assumptions;

/**
 * Finds {@code ../shared} (beside the checkout: the module folder's grandparent holds it). When it is absent the
 * calling test is skipped, except on CI ({@code CI=true}), where a missing fixture is a failure.
 */
public final class SharedFixtures {

    private static final ObjectMapper JSON = new ObjectMapper();

    private SharedFixtures() {}

    /** {@code ../shared/<relative>}, or skip (fail on CI) when it does not exist. */
    public static Path require(String relative) {
        Path repo = Path.of("").toAbsolutePath().getParent();
        Path path = repo.getParent().resolve("shared").resolve(relative);
        if (!Files.exists(path)) {
            String message = "shared fixture missing: " + path + " (expected ../shared beside the checkout)";
            if ("true".equals(System.getenv("CI"))) {
                fail(message);
            }
            Assumptions.abort(message);
        }
        return path;
    }

    /** The lines of a JSONL fixture, parsed. */
    static List<JsonNode> jsonl(String relative) {
        try {
            List<JsonNode> rows = new ArrayList<>();
            for (String line : Files.readAllLines(require(relative))) {
                if (!line.isBlank()) {
                    rows.add(JSON.readTree(line));
                }
            }
            return rows;
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    static int[] ints(JsonNode array) {
        int[] out = new int[array.size()];
        for (int i = 0; i < out.length; i++) {
            out[i] = array.get(i).intValue();
        }
        return out;
    }
}
