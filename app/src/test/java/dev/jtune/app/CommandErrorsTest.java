package dev.jtune.app;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.jtune.core.testing.SharedFixtures;
import java.io.IOException;
import java.io.PrintWriter;
import java.io.StringWriter;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import picocli.CommandLine;

/** Bad files and data through the commands: one "jtune: error:" line naming the file and field, no stack trace. */
class CommandErrorsTest {

    @TempDir
    Path dir;

    private Path model;
    private final StringWriter err = new StringWriter();

    @BeforeEach
    void copyTheTinyModel() throws IOException {
        model = dir.resolve("model");
        Files.createDirectories(model);
        Path fixture = SharedFixtures.file("fixtures/hf/tiny-gpt2/model");
        try (var files = Files.list(fixture)) {
            for (Path f : files.toList()) Files.copy(f, model.resolve(f.getFileName()));
        }
    }

    private int evaluate(String data, String... more) throws IOException {
        Path file = dir.resolve("data.jsonl");
        Files.writeString(file, data);
        CommandLine cli = Main.commandLine();
        cli.setErr(new PrintWriter(err, true));
        List<String> args = new java.util.ArrayList<>(List.of("evaluate", "--model", model.toString(), "--data",
                file.toString()));
        args.addAll(List.of(more));
        return cli.execute(args.toArray(String[]::new));
    }

    private void assertOneErrorLine(String... parts) {
        String text = err.toString();
        assertTrue(text.startsWith("jtune: error: "), text);
        assertEquals(1, text.lines().count(), text);
        for (String part : parts) assertTrue(text.contains(part), part + " in " + text);
    }

    @Test
    void blankLinesAndCrlfAreFine() throws IOException {
        assertEquals(0, evaluate("{\"text\": \"hello there world\"}\r\n\r\n{\"text\": \"and more words\"}\r\n"), err.toString());
    }

    @Test
    void aBadTokenizerFileIsOneLineNamingTheFileAndField() throws IOException {
        Path tokenizer = model.resolve("tokenizer.json");
        Files.writeString(tokenizer, Files.readString(tokenizer).replace("\"vocab\": {", "\"vocab\": {\"huge\": 2147483647, "));
        assertEquals(1, evaluate("{\"text\": \"hello\"}\n"));
        assertOneErrorLine("tokenizer.json", "model");
    }

    @Test
    void aTokenizerWithIdsTheModelHasNoRowForIsOneLineNamingBothFiles() throws IOException {
        Path tokenizer = model.resolve("tokenizer.json");
        Files.writeString(tokenizer, Files.readString(tokenizer).replace("\"vocab\": {", "\"vocab\": {\"zzqx_not_a_token\": 60000, "));
        assertEquals(1, evaluate("{\"text\": \"a b\"}\n"));
        assertOneErrorLine("tokenizer.json", "token id 60000", "vocabulary of 50258", "config.json");
    }

    @Test
    void debugAddsTheStackTrace() throws IOException {
        Files.writeString(model.resolve("tokenizer.json"), "{\"model\": 3}");
        assertEquals(1, evaluate("{\"text\": \"hello\"}\n", "--debug"));
        assertTrue(err.toString().startsWith("jtune: error: ") && err.toString().contains("\tat "), err.toString());
    }

    @Test
    void emptyDataIsNothingToEvaluate() throws IOException {
        for (String data : List.of("", "[]", "{\"text\": \"\"}\n{\"text\": \"\"}\n")) {
            err.getBuffer().setLength(0);
            assertEquals(1, evaluate(data), data);
            assertOneErrorLine("data.jsonl", "nothing to evaluate");
        }
    }

    @Test
    void aNonStringTextIsRefusedNotConverted() throws IOException {
        assertEquals(1, evaluate("{\"text\": \"fine\"}\n{\"text\": 3.5}\n"));
        assertOneErrorLine("data.jsonl", "field 'text' must be a string, got 3.5");
    }

    @Test
    void twoObjectsOnOneLineOrADuplicateKeyAreRefused() throws IOException {
        assertEquals(1, evaluate("{\"text\": \"a b c\"} {\"text\": \"d e f\"}\n"));
        assertOneErrorLine("data.jsonl:1", "malformed JSON");
        err.getBuffer().setLength(0);
        assertEquals(1, evaluate("{\"text\": \"a b c\", \"text\": \"d e f\"}\n"));
        assertOneErrorLine("data.jsonl:1", "Duplicate field 'text'");
    }

    @Test
    void aTokenizeInputLineWithTrailingContentIsOneLine() throws IOException {
        Path input = dir.resolve("in.jsonl");
        Files.writeString(input, "{\"text\": \"a\"} x\n");
        CommandLine cli = Main.commandLine();
        cli.setErr(new PrintWriter(err, true));
        assertEquals(1, cli.execute("tokenize", "--tokenizer", model.toString(), "--input", input.toString(), "--output",
                dir.resolve("out.jsonl").toString()));
        assertOneErrorLine("in.jsonl: line 1: malformed JSON");
        assertFalse(err.toString().contains("\tat "));
    }
}
