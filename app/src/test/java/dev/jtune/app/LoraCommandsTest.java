package dev.jtune.app;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.jtune.core.DType;
import dev.jtune.core.Tensor;
import dev.jtune.core.testing.SharedFixtures;
import dev.jtune.nn.AutoModelForCausalLM;
import dev.jtune.nn.Checkpoints;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.PrintStream;
import java.io.PrintWriter;
import java.io.StringWriter;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import picocli.CommandLine;

/**
 * LoRA through the commands, end to end: finetune --lora-r saves PEFT's adapter folder (with the resized embeddings and
 * the tokenizer when a [PAD] was added), merge gives a plain model computing the same loss as the base with
 * --adapter, an adapter is continued, and bad adapter input is one error line.
 */
class LoraCommandsTest {

    private static final String TEMPLATE = "Tweet: {text}\\nSentiment: {label_text}";

    @TempDir
    Path dir;

    private final StringWriter err = new StringWriter();

    private int run(String... args) {
        CommandLine cli = Main.commandLine();
        cli.setErr(new PrintWriter(err, true));
        return cli.execute(args);
    }

    private double evalLoss(Path data, String... modelArgs) throws IOException {
        Path result = dir.resolve("eval-" + System.nanoTime() + ".json");
        List<String> args = new ArrayList<>(List.of("evaluate", "--data", data.toString(), "--output", result.toString()));
        args.addAll(List.of(modelArgs));
        assertEquals(0, run(args.toArray(String[]::new)), err.toString());
        return new ObjectMapper().readTree(result.toFile()).get("eval_loss").asDouble();
    }

    @Test
    void finetuneWithLoraThenMergeGivesTheLossOfTheBaseWithTheAdapter() throws Exception {
        Path model = SharedFixtures.file("models/tweet-gpt2-small");  // no pad token: finetune adds [PAD]
        Path data = SharedFixtures.file("data/tweeteval-sentiment");
        Path train = dir.resolve("train.jsonl"), validation = dir.resolve("validation.jsonl");
        Files.write(train, Files.readAllLines(data.resolve("train.jsonl")).subList(0, 32));
        Files.write(validation, Files.readAllLines(data.resolve("validation.jsonl")).subList(0, 16));
        Path adapter = dir.resolve("adapter");
        assertEquals(0, run("finetune", "--model", model.toString(), "--data", dir.toString(), "--text-template", TEMPLATE,
                "--label-column", "label_text", "--output-dir", adapter.toString(), "--per-device-train-batch-size", "4",
                "--max-steps", "3", "--learning-rate", "1e-2", "--save-strategy", "no", "--disable-tqdm",
                "--lora-r", "4", "--lora-alpha", "16", "--lora-dropout", "0.05", "--lora-target-modules", "c_attn,c_proj"),
                err.toString());
        for (String file : List.of("adapter_config.json", "adapter_model.safetensors", "tokenizer.json", "metrics.json")) {
            assertTrue(Files.exists(adapter.resolve(file)), file);
        }
        assertFalse(Files.exists(adapter.resolve("model.safetensors")), "the base is not saved");
        JsonNode config = new ObjectMapper().readTree(adapter.resolve("adapter_config.json").toFile());
        assertEquals(4, config.get("r").asInt());
        assertEquals(16, config.get("lora_alpha").asDouble());
        assertEquals(model.toString(), config.get("base_model_name_or_path").asText());
        Map<String, Tensor> tensors = Checkpoints.loadFile(adapter.resolve("adapter_model.safetensors"));
        // the vocabulary grew by [PAD]: PEFT's save_embedding_layers="auto" saves the resized embedding
        assertEquals(50258, tensors.get("base_model.model.transformer.wte.weight").shape()[0], tensors.keySet().toString());
        assertTrue(tensors.containsKey("base_model.model.transformer.h.3.mlp.c_proj.lora_B.weight"), tensors.keySet().toString());

        Path merged = dir.resolve("merged");
        assertEquals(0, run("merge", "--model", model.toString(), "--adapter", adapter.toString(), "--output-dir",
                merged.toString(), "--dtype", "float32"), err.toString());
        assertEquals(50258, AutoModelForCausalLM.fromPretrained(merged).config().vocabSize());
        assertTrue(Files.exists(merged.resolve("tokenizer.json")));
        assertFalse(Files.exists(merged.resolve("adapter_config.json")));
        assertEquals(DType.F32, Checkpoints.storedFloatDtype(merged));

        // The default merges a bf16 checkpoint in bf16 (transformers 5 loads it so): each weight of the F32 merge
        // rounded once, the embedding saved with the adapter too.
        Path mergedBf16 = dir.resolve("merged-bf16");
        assertEquals(0, run("merge", "--model", model.toString(), "--adapter", adapter.toString(), "--output-dir",
                mergedBf16.toString()), err.toString());
        assertEquals(DType.BF16, Checkpoints.storedFloatDtype(mergedBf16));
        assertEquals("bfloat16", new ObjectMapper().readTree(mergedBf16.resolve("config.json").toFile()).get("dtype")
                .asText());
        Map<String, Tensor> inF32 = Checkpoints.loadTensors(merged), inBf16 = Checkpoints.loadTensors(mergedBf16, DType.BF16);
        assertEquals(inF32.keySet(), inBf16.keySet());
        for (String name : inF32.keySet()) {
            Tensor rounded = inF32.get(name).to(DType.BF16), stored = inBf16.get(name);
            int n = stored.numel();  // a pooled buffer may be longer
            assertArrayEquals(Arrays.copyOf(rounded.storage().halves(), n), Arrays.copyOf(stored.storage().halves(), n), name);
        }

        String[] text = {"--text-template", TEMPLATE};
        double withAdapter = evalLoss(validation, "--adapter", adapter.toString(), text[0], text[1]);  // base from the config
        double mergedLoss = evalLoss(validation, "--model", merged.toString(), text[0], text[1]);
        double baseLoss = evalLoss(validation, "--model", model.toString(), text[0], text[1]);
        assertEquals(withAdapter, mergedLoss, 1e-5 * withAdapter);
        assertTrue(Math.abs(baseLoss - withAdapter) > 1e-3, "the adapter changed the model: " + baseLoss + " vs " + withAdapter);
    }

    @Test
    void theReferenceAdapterEvaluatesLikeItsMergedReferenceAndFindsItsBaseFromItsConfig() throws Exception {
        Path ref = SharedFixtures.file("fixtures/ref/lora-gpt2");
        Path data = dir.resolve("data.jsonl");
        Files.writeString(data, "{\"text\": \"hello there world, and more words\"}\n{\"text\": \"a second row of text\"}\n");
        // base_model_name_or_path is ../../../hf/tiny-gpt2/model, relative to the adapter folder
        double withAdapter = evalLoss(data, "--adapter", ref.resolve("adapter").toString());
        double merged = evalLoss(data, "--model", ref.resolve("merged").toString());
        assertEquals(merged, withAdapter, 1e-5 * merged);
    }

    @Test
    void finetuneContinuesAnAdapterOnABf16BaseAndGenerateTakesOne() throws Exception {
        Path ref = SharedFixtures.file("fixtures/ref/lora-gpt2/adapter");
        Path data = dir.resolve("train.jsonl");
        Files.writeString(data, "{\"text\": \"hello there world, and more words\"}\n{\"text\": \"a second row of text\"}\n");
        Path out = dir.resolve("continued");
        assertEquals(0, run("finetune", "--adapter", ref.toString(), "--data", data.toString(), "--output-dir",
                out.toString(), "--max-steps", "2", "--learning-rate", "1e-2", "--save-strategy", "no", "--disable-tqdm",
                "--base-dtype", "bf16"),
                err.toString());
        JsonNode config = new ObjectMapper().readTree(out.resolve("adapter_config.json").toFile());
        assertEquals(4, config.get("r").asInt(), "the adapter's own configuration");
        assertFalse(Files.exists(out.resolve("tokenizer.json")), "the base's tokenizer, unchanged, is not copied");
        Map<String, Tensor> before = Checkpoints.loadFile(ref.resolve("adapter_model.safetensors"));
        Map<String, Tensor> after = Checkpoints.loadFile(out.resolve("adapter_model.safetensors"));
        assertEquals(before.keySet(), after.keySet());
        String key = "base_model.model.transformer.h.0.attn.c_attn.lora_B.weight";
        assertFalse(java.util.Arrays.equals(before.get(key).toFloatArray(), after.get(key).toFloatArray()), "trained");

        Path base = SharedFixtures.file("fixtures/hf/tiny-gpt2/model");
        assertEquals(0, run("generate", "--model", base.toString(), "--adapter", out.toString(), "--prompt", "hello",
                "--max-new-tokens", "3"), err.toString());
    }

    @Test
    void aModelOtherThanTheAdaptersBaseIsUsedWithAWarning() throws Exception {
        Path ref = SharedFixtures.file("fixtures/ref/lora-gpt2");
        Path copy = dir.resolve("copy");
        Files.createDirectories(copy);
        try (var files = Files.list(SharedFixtures.file("fixtures/hf/tiny-gpt2/model"))) {
            for (Path f : files.toList()) Files.copy(f, copy.resolve(f.getFileName()));
        }
        Path data = dir.resolve("data.jsonl");
        Files.writeString(data, "{\"text\": \"hello there world, and more words\"}\n");
        PrintStream saved = System.err;
        ByteArrayOutputStream captured = new ByteArrayOutputStream();
        System.setErr(new PrintStream(captured, true, StandardCharsets.UTF_8));
        try {
            evalLoss(data, "--model", copy.toString(), "--adapter", ref.resolve("adapter").toString());
            evalLoss(data, "--model", ref.resolve("../../hf/tiny-gpt2/model").toString(), "--adapter",
                    ref.resolve("adapter").toString());
        } finally {
            System.setErr(saved);
        }
        List<String> warnings = captured.toString(StandardCharsets.UTF_8).lines().filter(l -> l.contains("warning")).toList();
        assertEquals(1, warnings.size(), captured.toString(StandardCharsets.UTF_8));
        assertTrue(warnings.getFirst().contains("base_model_name_or_path ../../../hf/tiny-gpt2/model")
                && warnings.getFirst().contains(copy.toString()), warnings.getFirst());
    }

    @Test
    void aBadAdapterFolderIsOneErrorLineNamingTheFileAndKey() throws Exception {
        Path ref = SharedFixtures.file("fixtures/ref/lora-gpt2/adapter");
        Path bad = dir.resolve("bad");
        Files.createDirectories(bad);
        Files.copy(ref.resolve("adapter_model.safetensors"), bad.resolve("adapter_model.safetensors"));
        Files.writeString(bad.resolve("adapter_config.json"), Files.readString(ref.resolve("adapter_config.json"))
                .replace("\"r\": 4", "\"r\": 8"));
        Path base = SharedFixtures.file("fixtures/hf/tiny-gpt2/model");
        Path data = dir.resolve("data.jsonl");
        Files.writeString(data, "{\"text\": \"hello there world\"}\n");
        assertEquals(1, run("evaluate", "--model", base.toString(), "--adapter", bad.toString(), "--data", data.toString()));
        assertOneErrorLine("adapter_model.safetensors", "lora_A.weight", "[4, 32]");

        err.getBuffer().setLength(0);
        assertEquals(1, run("merge", "--model", base.toString(), "--adapter", dir.resolve("missing").toString(),
                "--output-dir", dir.resolve("out").toString()));
        assertOneErrorLine("adapter_config.json");

        err.getBuffer().setLength(0);
        assertEquals(1, run("merge", "--model", base.toString(), "--adapter", ref.toString(), "--output-dir",
                dir.resolve("out").toString(), "--dtype", "half"));
        assertOneErrorLine("--dtype must be auto, float32, bfloat16 or float16, got half");
        assertFalse(Files.exists(dir.resolve("out")));

        err.getBuffer().setLength(0);
        assertEquals(1, run("finetune", "--model", base.toString(), "--data", data.toString(), "--output-dir",
                dir.resolve("out").toString(), "--lora-alpha", "16"));
        assertOneErrorLine("--lora-r");
    }

    @Test
    void evaluateAndGenerateHoldABf16CheckpointInBf16AndGetItsF32TwinsNumbers() throws Exception {
        List<Path> twins = Bf16Twins.of("fixtures/hf/tiny-gpt2/model", dir);  // its tokenizer fits its vocabulary
        Path bf16 = twins.get(0), f32 = twins.get(1);
        assertEquals(DType.BF16, AdapterLoading.inferenceDtype(bf16, null));
        assertEquals(DType.F32, AdapterLoading.inferenceDtype(f32, null));
        Path data = dir.resolve("data.jsonl");
        Files.writeString(data, "{\"text\": \"hello there world, and more words\"}\n{\"text\": \"a second row\"}\n");
        assertEquals(evalLoss(data, "--model", f32.toString()), evalLoss(data, "--model", bf16.toString()));
        List<String> outputs = new ArrayList<>();
        for (Path model : twins) {
            PrintStream stdout = System.out;
            ByteArrayOutputStream captured = new ByteArrayOutputStream();
            System.setOut(new PrintStream(captured, true, StandardCharsets.UTF_8));
            try {
                assertEquals(0, run("generate", "--model", model.toString(), "--prompt", "hello there", "--max-new-tokens",
                        "12", "--temperature", "1.5", "--seed", "3", "--json"), err.toString());
            } finally {
                System.setOut(stdout);
            }
            outputs.add(captured.toString(StandardCharsets.UTF_8).lines().toList().getLast());
        }
        assertEquals(outputs.get(0), outputs.get(1), "sampled tokens and text");
    }

    @Test
    void anAdapterThatSavedEmbeddingsKeepsABf16BaseInF32() throws Exception {
        Path bf16 = Bf16Twins.of("fixtures/ref/tiny-qwen2/model", dir).get(0);
        Path adapter = dir.resolve("adapter");
        Files.createDirectories(adapter);
        new dev.jtune.core.io.SafetensorsWriter()
                .addFloats("base_model.model.model.layers.0.self_attn.q_proj.lora_A.weight", new long[] {1, 1}, new float[1])
                .write(adapter.resolve("adapter_model.safetensors"));
        assertEquals(DType.BF16, AdapterLoading.inferenceDtype(bf16, adapter), "only LoRA matrices");
        new dev.jtune.core.io.SafetensorsWriter()
                .addFloats("base_model.model.model.layers.0.self_attn.q_proj.lora_A.weight", new long[] {1, 1}, new float[1])
                .addFloats("base_model.model.lm_head.weight", new long[] {1, 1}, new float[1])
                .write(adapter.resolve("adapter_model.safetensors"));
        assertEquals(DType.F32, AdapterLoading.inferenceDtype(bf16, adapter), "a saved embedding is not rounded into bf16");
    }

    @Test
    void aBf16CheckpointTrainsTheAdapterItsF32TwinTrainsOnABf16Base() throws Exception {
        List<Path> twins = Bf16Twins.of("fixtures/ref/tiny-qwen2/model", dir);  // finetune resizes to its tokenizer
        Path bf16 = twins.get(0), f32 = twins.get(1);
        assertEquals(DType.BF16, Checkpoints.loadDtypeForFrozenBase(bf16, DType.BF16), "read as stored, with no F32 copy");
        assertEquals(DType.F32, Checkpoints.loadDtypeForFrozenBase(f32, DType.BF16), "read as F32, the base converted afterwards");
        Path data = dir.resolve("train.jsonl");
        Files.writeString(data, "{\"text\": \"hello there world, and more words\"}\n{\"text\": \"a second row\"}\n");
        List<Map<String, Tensor>> adapters = new ArrayList<>();
        for (Path model : List.of(f32, bf16)) {
            Path out = dir.resolve("out-" + model.getFileName());
            assertEquals(0, run("finetune", "--model", model.toString(), "--data", data.toString(), "--output-dir",
                    out.toString(), "--lora-r", "4", "--base-dtype", "bf16", "--max-steps", "2", "--learning-rate",
                    "1e-2", "--save-strategy", "no", "--disable-tqdm"), err.toString());
            adapters.add(Checkpoints.loadFile(out.resolve("adapter_model.safetensors")));
        }
        assertEquals(adapters.get(0).keySet(), adapters.get(1).keySet());
        assertTrue(adapters.get(0).containsKey("base_model.model.model.layers.0.self_attn.q_proj.lora_B.weight"));
        adapters.get(0).forEach((name, t) -> assertTrue(java.util.Arrays.equals(t.toFloatArray(),
                adapters.get(1).get(name).toFloatArray()), name + ": the same bits"));
    }

    private void assertOneErrorLine(String... parts) {
        String text = err.toString();
        assertTrue(text.startsWith("jtune: error: "), text);
        assertEquals(1, text.lines().count(), text);
        for (String part : parts) assertTrue(text.contains(part), part + " in " + text);
    }
}
