package dev.jtune.app;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.jtune.core.testing.SharedFixtures;
import dev.jtune.tokenizer.AutoTokenizer;
import dev.jtune.tokenizer.Tokenizer;
import java.io.IOException;
import java.io.PrintWriter;
import java.io.StringWriter;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Arrays;
import java.util.List;
import java.util.stream.Collectors;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import picocli.CommandLine;

/** Rows that bring their own input_ids are evaluated as they are: the same result as their texts, bad ids named. */
class PretokenizedRowsTest {

    private static final List<String> TEXTS = List.of("the new album is amazing", "my flight was moved to tuesday",
            "this weather is the worst");

    @TempDir
    Path dir;

    private final Path model = SharedFixtures.file("fixtures/hf/tiny-gpt2/model");
    private final StringWriter err = new StringWriter();

    private JsonNode evaluate(List<String> lines) throws IOException {
        Path data = dir.resolve("data.jsonl"), out = dir.resolve("out.json");
        Files.write(data, lines);
        CommandLine cli = Main.commandLine();
        cli.setErr(new PrintWriter(err, true));
        cli.setOut(new PrintWriter(new StringWriter(), true));
        int code = cli.execute("evaluate", "--model", model.toString(), "--data", data.toString(), "--output",
                out.toString());
        return code == 0 ? new ObjectMapper().readTree(out.toFile()) : null;
    }

    @Test
    void inputIdsGiveTheSameLossAsTheTextsTheyCameFrom() throws IOException {
        Tokenizer tokenizer = AutoTokenizer.fromPretrained(model);
        JsonNode fromText = evaluate(TEXTS.stream().map(t -> "{\"text\": \"" + t + "\"}").toList());
        JsonNode fromIds = evaluate(TEXTS.stream().map(t -> "{\"input_ids\": " + Arrays.stream(tokenizer.encode(t))
                .mapToObj(Integer::toString).collect(Collectors.joining(", ", "[", "]")) + "}").toList());
        assertEquals(fromText.get("tokens").asLong(), fromIds.get("tokens").asLong(), err.toString());
        assertEquals(fromText.get("eval_loss").asDouble(), fromIds.get("eval_loss").asDouble(), 1e-9);
    }

    @Test
    void ownLabelsDecideWhatIsPredicted() throws IOException {
        JsonNode all = evaluate(List.of("{\"input_ids\": [464, 3290, 318, 257]}"));
        JsonNode last = evaluate(List.of("{\"input_ids\": [464, 3290, 318, 257], \"labels\": [-100, -100, -100, 257]}"));
        assertEquals(3, all.get("tokens").asLong());
        assertEquals(1, last.get("tokens").asLong());
    }

    @Test
    void finetuneTrainsOnInputIdsWithoutTheTokenizer() throws IOException {
        Path train = dir.resolve("train.jsonl"), out = dir.resolve("out");
        Files.write(train, List.of("{\"input_ids\": [464, 3290, 318, 257]}", "{\"input_ids\": [40, 1842, 428]}",
                "{\"input_ids\": [1, 2, 3, 4, 5]}", "{\"input_ids\": [9, 8]}"));
        CommandLine cli = Main.commandLine();
        cli.setErr(new PrintWriter(err, true));
        int code = cli.execute("finetune", "--model", model.toString(), "--data", train.toString(), "--output-dir",
                out.toString(), "--per-device-train-batch-size", "2", "--max-steps", "2", "--save-strategy", "no",
                "--disable-tqdm");
        assertEquals(0, code, err.toString());
        JsonNode state = new ObjectMapper().readTree(out.resolve("trainer_state.json").toFile());
        assertEquals(2, state.get("global_step").asInt());
    }

    @Test
    void anIdOutsideTheVocabularyIsOneErrorLineNamingTheRow() throws IOException {
        evaluate(List.of("{\"input_ids\": [1, 2, 3]}", "{\"input_ids\": [4, 99999999]}"));
        String text = err.toString();
        assertTrue(text.startsWith("jtune: error: ") && text.lines().count() == 1, text);
        assertTrue(text.contains("data.jsonl: row 1: input_ids value 99999999 is outside the model's vocabulary"), text);
    }
}
