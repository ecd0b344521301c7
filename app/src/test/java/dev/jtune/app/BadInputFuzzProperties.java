package dev.jtune.app;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTimeoutPreemptively;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.jtune.nn.gpt2.GPT2Config;
import dev.jtune.nn.gpt2.GPT2LMHeadModel;
import dev.jtune.tokenizer.Tokenizer;
import dev.jtune.tokenizer.trainer.BpeTrainer;
import java.io.IOException;
import java.io.PrintWriter;
import java.io.StringWriter;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import net.jqwik.api.Arbitrary;
import net.jqwik.api.ForAll;
import net.jqwik.api.Property;
import net.jqwik.api.Provide;
import net.jqwik.api.lifecycle.AfterContainer;

/**
 * Mutated files through {@code ./jtune evaluate} as a user would run it: every outcome is a result (exit 0) or exactly
 * one "jtune: error:" line naming the mutated file (exit 1), never an internal error or a stack trace, and never a
 * hang. The model, tokenizer and data are small, made once; each try mutates one file of a fresh copy.
 */
class BadInputFuzzProperties {

    private static final Path ORIGINAL = makeModel();
    private static final String DATA = "{\"text\": \"the new album is amazing\", \"label\": 2}\n"
            + "{\"text\": \"my flight was moved\", \"label\": 1}\n\n{\"text\": \"worst day\", \"label\": 0}\n";

    @Provide
    Arbitrary<FileMutation> mutations() {
        return FileMutation.any();
    }

    @Property(tries = 100)
    void aMutatedConfigJsonIsAResultOrOneErrorLine(@ForAll("mutations") FileMutation m) throws IOException {
        assertCleanOutcome("config.json", m);
    }

    @Property(tries = 100)
    void aMutatedSafetensorsFileIsAResultOrOneErrorLine(@ForAll("mutations") FileMutation m) throws IOException {
        assertCleanOutcome("model.safetensors", m);
    }

    @Property(tries = 100)
    void aMutatedTokenizerJsonIsAResultOrOneErrorLine(@ForAll("mutations") FileMutation m) throws IOException {
        assertCleanOutcome("tokenizer.json", m);
    }

    @Property(tries = 100)
    void mutatedJsonlDataIsAResultOrOneErrorLine(@ForAll("mutations") FileMutation m) throws IOException {
        assertCleanOutcome("data.jsonl", m);
    }

    private static void assertCleanOutcome(String file, FileMutation mutation) throws IOException {
        Path dir = Files.createTempDirectory("jtune-fuzz");
        try {
            Path model = dir.resolve("model");
            Files.createDirectories(model);
            try (var files = Files.list(ORIGINAL)) {
                for (Path f : files.toList()) Files.copy(f, model.resolve(f.getFileName()));
            }
            Path data = dir.resolve("data.jsonl");
            Files.writeString(data, DATA);
            Path target = file.equals("data.jsonl") ? data : model.resolve(file);
            Files.write(target, mutation.apply(Files.readAllBytes(target)));
            StringWriter err = new StringWriter();
            int code = assertTimeoutPreemptively(Duration.ofSeconds(30), () -> {
                var cli = Main.commandLine();
                cli.setErr(new PrintWriter(err, true));
                cli.setOut(new PrintWriter(new StringWriter(), true));
                return cli.execute("evaluate", "--model", model.toString(), "--data", data.toString());
            }, () -> mutation + " of " + file + " hung");
            if (code == 0) return;
            String text = err.toString();
            assertEquals(1, code, text);
            assertTrue(text.startsWith("jtune: error: ") && text.lines().count() == 1, mutation + ": " + text);
            assertTrue(text.contains(file), mutation + " of " + file + ": the error does not name the file: " + text);
        } finally {
            deleteRecursively(dir);
        }
    }

    @AfterContainer
    static void deleteTheModel() throws IOException {
        deleteRecursively(ORIGINAL);
    }

    private static void deleteRecursively(Path dir) throws IOException {
        try (var files = Files.walk(dir)) {
            files.sorted(java.util.Comparator.reverseOrder()).forEach(p -> p.toFile().delete());
        }
    }

    /** A 300-token BPE trained on a few sentences and a one-layer GPT-2 over it, saved like a hub snapshot. */
    private static Path makeModel() {
        try {
            Path dir = Files.createTempDirectory("jtune-fuzz-model");
            List<String> corpus = List.of("the new album is amazing", "my flight was moved to tuesday",
                    "this weather is the worst", "what a great day", "worst day of the week");
            Tokenizer tokenizer = BpeTrainer.train(corpus, new BpeTrainer.Config(300, 1, List.of("<|endoftext|>")));
            tokenizer.addSpecialTokens(Map.of("eos_token", "<|endoftext|>"));
            int eos = tokenizer.eosTokenId();
            GPT2Config config = GPT2Config.builder().vocabSize(tokenizer.size()).nPositions(32).nEmbd(8).nLayer(1)
                    .nHead(2).bosTokenId(eos).eosTokenId(eos).build();
            new GPT2LMHeadModel(config, 1).savePretrained(dir);
            tokenizer.savePretrained(dir);
            return dir;
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }
}
