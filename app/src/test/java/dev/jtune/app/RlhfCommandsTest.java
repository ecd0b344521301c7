package dev.jtune.app;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.jtune.core.testing.SharedFixtures;
import java.io.IOException;
import java.io.PrintWriter;
import java.io.StringWriter;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import picocli.CommandLine;

/**
 * {@code reward-train} and {@code score} end to end on the tiny GPT-2: text pairs (EOS appended, a pair over
 * max_length dropped), a saved GPT2ForSequenceClassification that {@code score} reads back, with LoRA a SEQ_CLS
 * adapter folder that {@code score --adapter} reads, and one-line errors.
 */
class RlhfCommandsTest {

    private static final ObjectMapper JSON = new ObjectMapper();

    @TempDir
    Path dir;

    private final StringWriter err = new StringWriter();

    private int run(String... args) {
        CommandLine cli = Main.commandLine();
        cli.setErr(new PrintWriter(err, true));
        return cli.execute(args);
    }

    @Test
    void rewardTrainSavesATransformersRewardModelThatScoreReads() throws IOException {
        Path model = SharedFixtures.file("fixtures/hf/tiny-gpt2/model");
        Path pairs = dir.resolve("pairs.jsonl"), out = dir.resolve("rm");
        Files.writeString(pairs, """
                {"prompt": "The movie was", "chosen": " great fun", "rejected": " a waste of time"}
                {"prompt": "My order", "chosen": " arrived early", "rejected": " never came"}
                {"prompt": "", "chosen": "I love this song", "rejected": "I hate this song"}
                {"prompt": "", "chosen": "short", "rejected": "this one is far too long for the max length of twelve tokens, so it goes"}
                """);
        assertEquals(0, run("reward-train", "--model", model.toString(), "--data", pairs.toString(), "--output-dir",
                out.toString(), "--max-length", "12", "--per-device-train-batch-size", "2", "--max-steps", "2",
                "--logging-steps", "1", "--save-strategy", "no", "--disable-tqdm"), err.toString());
        JsonNode config = JSON.readTree(out.resolve("config.json").toFile());
        assertEquals("GPT2ForSequenceClassification", config.get("architectures").get(0).asText());
        assertEquals(50257, config.get("pad_token_id").asInt());
        for (String file : List.of("model.safetensors", "tokenizer.json", "trainer_state.json", "loss_curve.png")) {
            assertTrue(Files.exists(out.resolve(file)), file);
        }
        JsonNode log = JSON.readTree(out.resolve("trainer_state.json").toFile()).get("log_history");
        assertTrue(log.get(0).has("accuracy") && log.get(0).has("margin") && log.get(0).has("num_tokens"), log.toString());

        Path rows = dir.resolve("rows.jsonl"), scored = dir.resolve("scored.jsonl");
        Files.writeString(rows, "{\"text\": \"The movie was great fun\"}\n{\"text\": \"My order never came\"}\n");
        assertEquals(0, run("score", "--model", out.toString(), "--data", rows.toString(), "--output", scored.toString()),
                err.toString());
        List<String> lines = Files.readAllLines(scored);
        assertEquals(2, lines.size());
        assertEquals("The movie was great fun", JSON.readTree(lines.get(0)).get("text").asText());
        assertTrue(JSON.readTree(lines.get(0)).get("reward").isNumber() && JSON.readTree(lines.get(1)).get("reward").isNumber());
    }

    @Test
    void aMissingColumnOrAnIdOutsideTheVocabularyIsOneLineNamingTheFile() throws IOException {
        Path model = SharedFixtures.file("fixtures/hf/tiny-gpt2/model"), pairs = dir.resolve("bad.jsonl");
        Files.writeString(pairs, "{\"chosen\": \"a\", \"other\": \"b\"}\n");
        assertEquals(1, run("reward-train", "--model", model.toString(), "--data", pairs.toString(), "--output-dir",
                dir.resolve("o").toString()));
        assertOneLine("bad.jsonl", "no 'rejected' column");
        err.getBuffer().setLength(0);
        Files.writeString(pairs, "{\"chosen_ids\": [1, 2], \"rejected_ids\": [1, 99999999]}\n");
        assertEquals(1, run("reward-train", "--model", model.toString(), "--data", pairs.toString(), "--output-dir",
                dir.resolve("o").toString()));
        assertOneLine("bad.jsonl", "row 0", "rejected_ids", "99999999");
    }

    @Test
    void dpoContinuingTheFixtureAdapterReproducesTrlsThreeStepsAgainstAFrozenCopyOfIt() throws IOException {
        Path model = SharedFixtures.file("fixtures/hf/tiny-gpt2/model"), data = dir.resolve("dpo.jsonl"), out = dir.resolve("dpo");
        StringBuilder rows = new StringBuilder();
        for (JsonNode e : JSON.readTree(SharedFixtures.file("fixtures/ref/dpo-gpt2/data.json").toFile()).get("examples")) {
            rows.append(JSON.createObjectNode().set("prompt_ids", e.get("prompt_ids")).toString().replace("}", ""))
                    .append(", \"chosen_ids\": ").append(e.get("chosen_ids")).append(", \"rejected_ids\": ")
                    .append(e.get("rejected_ids")).append("}\n");
        }
        Files.writeString(data, rows);
        assertEquals(0, run("dpo", "--model", model.toString(), "--adapter",
                SharedFixtures.file("fixtures/ref/dpo-gpt2/adapter").toString(), "--data", data.toString(), "--output-dir",
                out.toString(), "--max-length", "0", "--per-device-train-batch-size", "2", "--max-steps", "3",
                "--learning-rate", "1e-3", "--lr-scheduler-type", "constant", "--max-grad-norm", "0",
                "--train-sampling-strategy", "sequential", "--logging-steps", "1", "--save-strategy", "no",
                "--disable-tqdm"), err.toString());
        var trained = dev.jtune.nn.Checkpoints.loadFile(
                SharedFixtures.file("fixtures/ref/dpo-gpt2/trained_adapter_ref_adapter_mode.safetensors"));
        var saved = dev.jtune.nn.Checkpoints.loadFile(out.resolve("adapter_model.safetensors"));
        assertEquals(trained.keySet(), saved.keySet());
        for (var e : trained.entrySet()) {
            float[] a = e.getValue().toFloatArray(), b = saved.get(e.getKey()).toFloatArray();
            for (int i = 0; i < a.length; i++) assertEquals(a[i], b[i], 1e-4, e.getKey());
        }
        JsonNode log = JSON.readTree(out.resolve("trainer_state.json").toFile()).get("log_history");
        assertEquals(Math.log(2), log.get(0).get("loss").asDouble(), 1e-6, "step 1 against a copy of itself");
        assertTrue(Files.exists(out.resolve("adapter_config.json")) && Files.exists(out.resolve("loss_curve.png")));
    }

    @Test
    void dpoWithANewAdapterOnTextDataSavesThePeftFolder() throws IOException {
        Path model = SharedFixtures.file("fixtures/hf/tiny-gpt2/model"), data = dir.resolve("text.jsonl"), out = dir.resolve("o");
        Files.writeString(data, """
                {"chosen": "The movie was great fun", "rejected": "The movie was a waste of time"}
                {"chosen": "My order arrived early", "rejected": "My order never came"}
                """);
        assertEquals(0, run("dpo", "--model", model.toString(), "--lora-r", "4", "--data", data.toString(),
                "--eval-data", data.toString(), "--output-dir", out.toString(), "--max-steps", "2",
                "--per-device-train-batch-size", "1", "--save-strategy", "no", "--disable-tqdm"), err.toString());
        JsonNode metrics = JSON.readTree(out.resolve("metrics.json").toFile());
        assertTrue(metrics.has("eval_rewards/accuracies") && metrics.has("eval_logps/chosen"), metrics.toString());
        JsonNode adapterConfig = JSON.readTree(out.resolve("adapter_config.json").toFile());
        assertEquals(4, adapterConfig.get("r").asInt());
        assertEquals("c_attn", adapterConfig.get("target_modules").get(0).asText());
    }

    @Test
    void dpoInFullOnABf16CheckpointTrainsAsOnItsF32TwinWithItsReferenceHeldInBf16() throws IOException {
        List<Path> twins = Bf16Twins.of("fixtures/hf/tiny-gpt2/model", dir);
        Path data = dir.resolve("text.jsonl");
        Files.writeString(data, """
                {"chosen": "The movie was great fun", "rejected": "The movie was a waste of time"}
                {"chosen": "My order arrived early", "rejected": "My order never came"}
                """);
        List<String> trained = new ArrayList<>();
        for (Path model : twins) {
            Path out = dir.resolve("dpo-" + model.getFileName());
            assertEquals(0, run("dpo", "--model", model.toString(), "--data", data.toString(), "--output-dir",
                    out.toString(), "--max-steps", "2", "--learning-rate", "1e-3", "--per-device-train-batch-size", "1",
                    "--save-strategy", "no", "--disable-tqdm"), err.toString());
            StringBuilder bits = new StringBuilder();
            dev.jtune.nn.Checkpoints.loadFile(out.resolve("model.safetensors")).forEach((name, t) ->
                    bits.append(name).append(java.util.Arrays.toString(t.toFloatArray())));
            JsonNode last = JSON.readTree(out.resolve("trainer_state.json").toFile()).get("log_history").get(0);
            trained.add(bits + " train_loss " + last.get("train_loss").asDouble());
        }
        assertTrue(trained.get(0).equals(trained.get(1)), "the same trained weights, bit for bit, and the same loss");
    }

    @Test
    void aBf16CheckpointTrainsTheRewardAdapterItsF32TwinTrainsOnABf16BaseAndScoresAlike() throws IOException {
        List<Path> twins = Bf16Twins.of("fixtures/hf/tiny-gpt2/model", dir);
        Path pairs = dir.resolve("pairs.jsonl"), rows = dir.resolve("rows.jsonl");
        Files.writeString(pairs, """
                {"prompt": "The movie was", "chosen": " great fun", "rejected": " a waste of time"}
                {"prompt": "My order", "chosen": " arrived early", "rejected": " never came"}
                """);
        Files.writeString(rows, "{\"text\": \"The movie was great fun\"}\n{\"text\": \"My order never came\"}\n");
        List<String> adapters = new ArrayList<>(), scores = new ArrayList<>();
        for (Path model : twins) {
            Path out = dir.resolve("rm-" + model.getFileName()), scored = dir.resolve("scored-" + model.getFileName());
            assertEquals(0, run("reward-train", "--model", model.toString(), "--data", pairs.toString(), "--output-dir",
                    out.toString(), "--lora-r", "4", "--base-dtype", "bf16", "--learning-rate", "1e-2",
                    "--per-device-train-batch-size", "1", "--max-steps", "2", "--save-strategy", "no", "--disable-tqdm"),
                    err.toString());
            StringBuilder bits = new StringBuilder();
            dev.jtune.nn.Checkpoints.loadFile(out.resolve("adapter_model.safetensors")).forEach((name, t) ->
                    bits.append(name).append(java.util.Arrays.toString(t.toFloatArray())));
            adapters.add(bits.toString());
            assertEquals(0, run("score", "--model", model.toString(), "--data", rows.toString(), "--output",
                    scored.toString()), err.toString());
            scores.add(Files.readString(scored));
        }
        assertTrue(adapters.get(0).contains("score.weight"), "the score head is saved with the adapter");
        assertEquals(adapters.get(1), adapters.get(0), "the same trained adapter, bit for bit");
        assertEquals(scores.get(1), scores.get(0), "the same rewards");
    }

    @Test
    void rewardTrainWithLoraSavesASeqClsAdapterThatScoreAdapterReads() throws IOException {
        Path model = SharedFixtures.file("fixtures/ref/reward-gpt2");
        Path pairs = dir.resolve("pairs.jsonl"), out = dir.resolve("rm-lora");
        Files.writeString(pairs, """
                {"prompt": "The movie was", "chosen": " great fun", "rejected": " a waste of time"}
                {"prompt": "My order", "chosen": " arrived early", "rejected": " never came"}
                """);
        assertEquals(0, run("reward-train", "--model", model.toString(), "--data", pairs.toString(), "--output-dir",
                out.toString(), "--lora-r", "4", "--lora-alpha", "8", "--learning-rate", "1e-2",
                "--per-device-train-batch-size", "1", "--max-steps", "2", "--logging-steps", "1", "--save-steps", "1",
                "--disable-tqdm"), err.toString());
        JsonNode config = JSON.readTree(out.resolve("adapter_config.json").toFile());
        assertEquals("SEQ_CLS", config.get("task_type").asText());
        assertEquals("[\"classifier\",\"score\"]", config.get("modules_to_save").toString());
        assertEquals(model.toString(), config.get("base_model_name_or_path").asText());
        assertTrue(!Files.exists(out.resolve("model.safetensors")) && Files.exists(out.resolve("tokenizer.json")));
        for (Path folder : List.of(out, out.resolve("checkpoint-1"))) {
            var keys = dev.jtune.nn.Checkpoints.loadFile(folder.resolve("adapter_model.safetensors")).keySet();
            assertTrue(keys.contains("base_model.model.score.weight")
                    && keys.contains("base_model.model.transformer.h.0.attn.c_attn.lora_A.weight"), folder + ": " + keys);
        }

        Path rows = dir.resolve("rows.jsonl"), base = dir.resolve("base.jsonl"), adapted = dir.resolve("adapted.jsonl");
        Files.writeString(rows, "{\"text\": \"The movie was great fun\"}\n{\"text\": \"My order never came\"}\n");
        assertEquals(0, run("score", "--model", model.toString(), "--data", rows.toString(), "--output", base.toString()),
                err.toString());
        assertEquals(0, run("score", "--adapter", out.toString(), "--data", rows.toString(), "--output",
                adapted.toString()), err.toString());
        List<String> before = Files.readAllLines(base), after = Files.readAllLines(adapted);
        assertEquals(2, after.size());
        for (int i = 0; i < 2; i++) {
            double r0 = JSON.readTree(before.get(i)).get("reward").asDouble(), r1 = JSON.readTree(after.get(i)).get("reward").asDouble();
            assertTrue(Math.abs(r1 - r0) > 1e-4, "row " + i + ": the adapter changes the reward " + r0 + " -> " + r1);
        }

        // merge gives a plain reward model (the score head from the adapter) that scores as the base with the adapter
        Path merged = dir.resolve("rm-merged"), mergedScores = dir.resolve("merged.jsonl");
        assertEquals(0, run("merge", "--adapter", out.toString(), "--output-dir", merged.toString(), "--dtype", "float32"),
                err.toString());
        assertTrue(JSON.readTree(merged.resolve("config.json").toFile()).get("architectures").toString()
                .contains("ForSequenceClassification"));
        assertEquals(0, run("score", "--model", merged.toString(), "--data", rows.toString(), "--output",
                mergedScores.toString()), err.toString());
        List<String> fromMerged = Files.readAllLines(mergedScores);
        for (int i = 0; i < 2; i++) {
            double r1 = JSON.readTree(after.get(i)).get("reward").asDouble();
            double r2 = JSON.readTree(fromMerged.get(i)).get("reward").asDouble();
            assertEquals(r1, r2, 1e-5 * Math.max(1, Math.abs(r1)), "row " + i + ": merged vs base with the adapter");
        }

        Path continued = dir.resolve("rm-lora-2");
        assertEquals(0, run("reward-train", "--model", model.toString(), "--adapter", out.toString(), "--data",
                pairs.toString(), "--output-dir", continued.toString(), "--learning-rate", "1e-2", "--seed", "7",
                "--per-device-train-batch-size", "1", "--max-steps", "1", "--save-strategy", "no", "--disable-tqdm"),
                err.toString());
        // another seed would draw another A (entries up to 1/sqrt(32)): one AdamW step moves each by about lr at most
        String loraA = "base_model.model.transformer.h.0.attn.c_attn.lora_A.weight";
        float[] first = dev.jtune.nn.Checkpoints.loadFile(out.resolve("adapter_model.safetensors")).get(loraA).toFloatArray();
        float[] second = dev.jtune.nn.Checkpoints.loadFile(continued.resolve("adapter_model.safetensors")).get(loraA)
                .toFloatArray();
        double moved = 0;
        for (int i = 0; i < first.length; i++) moved = Math.max(moved, Math.abs(second[i] - first[i]));
        assertTrue(moved > 0 && moved < 1.5e-2, "one step from the saved adapter moves lora_A by about lr: " + moved);
    }

    @Test
    void aCausalLmAdapterForARewardModelIsOneLineNamingItsConfigAndTaskType() throws IOException {
        Path rows = dir.resolve("rows.jsonl");
        Files.writeString(rows, "{\"text\": \"hello\"}\n");
        assertEquals(1, run("score", "--model", SharedFixtures.file("fixtures/hf/tiny-gpt2/model").toString(), "--adapter",
                SharedFixtures.file("fixtures/ref/dpo-gpt2/adapter").toString(), "--data", rows.toString()));
        assertOneLine("adapter_config.json", "task_type", "CAUSAL_LM");
        err.getBuffer().setLength(0);
        assertEquals(1, run("reward-train", "--model", SharedFixtures.file("fixtures/hf/tiny-gpt2/model").toString(),
                "--adapter", SharedFixtures.file("fixtures/ref/dpo-gpt2/adapter").toString(), "--data", rows.toString(),
                "--output-dir", dir.resolve("o").toString()));
        assertOneLine("adapter_config.json", "task_type", "CAUSAL_LM");
    }

    private void assertOneLine(String... parts) {
        String text = err.toString();
        assertTrue(text.contains("jtune: error: "), text);
        String line = text.lines().filter(l -> l.startsWith("jtune: error: ")).findFirst().orElseThrow();
        for (String part : parts) assertTrue(line.contains(part), part + " in " + text);
    }
}
