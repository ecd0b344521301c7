package dev.jtune.nn;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.jtune.core.DType;
import dev.jtune.core.Generator;
import dev.jtune.core.Tensor;
import dev.jtune.core.autograd.GradMode;
import dev.jtune.nn.llama.LlamaConfig;
import dev.jtune.nn.llama.LlamaForCausalLM;
import dev.jtune.nn.llama.RopeScaling;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Arrays;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeSet;
import java.util.stream.Collectors;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The Llama-family switches on sizes no fixture has (head_dim != hidden / heads with 3 query heads per key/value head,
 * attention bias with q/k norms, a window on some layers only, llama3 RoPE at head_dim 16): cached decoding equals the
 * full forward past the window, savePretrained round-trips with transformers' key sets in either config layout, the
 * window bounds what a token can influence, and settings jtune does not run are refused naming the key.
 */
class LlamaFamilyProperties {

    @TempDir
    Path dir;

    private static final long[] IDS = {4, 8, 15, 16, 23, 42, 7, 1, 30, 2, 11, 50, 3, 9};

    /** Four models that differ from the fixtures in every size. */
    private static List<LlamaConfig> configs() {
        return List.of(
                LlamaConfig.builder("qwen3").vocabSize(53).hiddenSize(40).intermediateSize(56).numHiddenLayers(2)
                        .numAttentionHeads(6).numKeyValueHeads(2).headDim(12).attentionBias(true)
                        .tieWordEmbeddings(true).ropeTheta(1e6).maxPositionEmbeddings(64).build(),
                LlamaConfig.builder("mistral").vocabSize(53).hiddenSize(24).intermediateSize(40).numHiddenLayers(3)
                        .numAttentionHeads(4).numKeyValueHeads(1).slidingWindow(3).maxPositionEmbeddings(64).build(),
                LlamaConfig.builder("qwen2").vocabSize(53).hiddenSize(24).intermediateSize(40).numHiddenLayers(3)
                        .numAttentionHeads(3).numKeyValueHeads(1).slidingWindow(5)
                        .layerTypes(List.of("full_attention", "sliding_attention", "sliding_attention"))
                        .maxPositionEmbeddings(64).build(),
                LlamaConfig.builder().vocabSize(53).hiddenSize(32).intermediateSize(40).numHiddenLayers(2)
                        .numAttentionHeads(2).numKeyValueHeads(2).tieWordEmbeddings(true)
                        .ropeScaling(new RopeScaling(4, 1, 4, 16)).maxPositionEmbeddings(64).build());
    }

    /** The model of {@code config} with every parameter moved off its initial value (norms off 1, biases off 0). */
    static LlamaForCausalLM randomModel(LlamaConfig config, long seed) {
        LlamaForCausalLM model = new LlamaForCausalLM(config, seed);
        Generator g = new Generator(seed + 1);
        for (Parameter p : model.parameters()) {
            p.set(p.value().add(Tensor.randn(g, DType.F32, p.value().shape()).mul(0.2)));
        }
        model.eval();
        return model;
    }

    @Test
    void cachedDecodingGivesTheFullForwardsLogitsAtEveryStepPastTheWindow() {
        for (LlamaConfig config : configs()) assertCacheMatchesFullForward(randomModel(config, 3), IDS, 3);
    }

    @Test
    void aWindowedLayerKeepsABoundedCacheAndStillGivesTheFullForwardsLogits() {
        LlamaConfig mistral = configs().get(1);  // window 3 on every layer
        LlamaForCausalLM model = randomModel(mistral, 17);
        try (var scope = GradMode.noGrad()) {
            Tensor full = model.logits(Tensor.ofLongs(IDS, 1, IDS.length), null, null, null);
            KVCache cache = model.newCache().reserve(IDS.length);
            for (int t = 0; t < IDS.length; t++) {
                Tensor step = model.logits(Tensor.ofLongs(new long[] {IDS[t]}, 1, 1), null, null, cache);
                Compare.assertClose("position " + t, step, full.narrow(1, t, 1), 1e-5);
                assertTrue(cache.kept(0) <= 2 * mistral.slidingWindow(), "kept " + cache.kept(0) + " at " + t);
            }
            assertEquals(IDS.length, cache.length());
        }
    }

    @Test
    void greedyGenerationIsTheSameWithAndWithoutTheCache() {
        for (LlamaConfig config : configs()) {
            LlamaForCausalLM model = randomModel(config, 5);
            int[][] prompts = {{4, 8, 15}, {16, 23, 42, 7, 1, 30}};  // left-padded batch
            GenerationConfig greedy = GenerationConfig.greedy(9, -1);
            assertArrayEquals(Generation.generate(model, prompts, greedy.withCache(false), null),
                    Generation.generate(model, prompts, greedy, null), config.modelType());
        }
    }

    @Test
    void savePretrainedRoundTripsWithTransformersKeySets() throws Exception {
        for (LlamaConfig config : configs()) {
            LlamaForCausalLM model = randomModel(config, 7);
            Path to = dir.resolve(config.modelType());
            model.savePretrained(to);
            PreTrainedCausalLM loaded = AutoModelForCausalLM.fromPretrained(to);
            Tensor ids = Tensor.ofLongs(Arrays.copyOf(IDS, 12), 2, 6);
            try (var scope = GradMode.noGrad()) {
                assertArrayEquals(model.logits(ids, null, null, null).toFloatArray(),
                        loaded.logits(ids, null, null, null).toFloatArray(), config.modelType());
            }
            assertEquals(config, ((LlamaConfig) loaded.config()).toBuilder().raw(null).build());
            assertEquals(expectedKeys(config), new TreeSet<>(Checkpoints.loadTensors(to).keySet()), config.modelType());
            JsonNode json = ConfigJson.MAPPER.readTree(to.resolve("config.json").toFile());
            assertEquals(config.architecture(), json.get("architectures").get(0).asText());
            assertTrue(json.has("rope_parameters") && json.has("dtype") && !json.has("rope_theta"), json.toString());
        }
    }

    /** The tensor names transformers saves for {@code config}: a tied head is not saved. */
    private static Set<String> expectedKeys(LlamaConfig c) {
        Set<String> keys = new TreeSet<>(List.of("model.embed_tokens.weight", "model.norm.weight"));
        if (!c.tieWordEmbeddings()) keys.add("lm_head.weight");
        for (int i = 0; i < c.numHiddenLayers(); i++) {
            String l = "model.layers." + i + ".";
            for (String m : List.of("q_proj", "k_proj", "v_proj", "o_proj")) {
                keys.add(l + "self_attn." + m + ".weight");
                boolean bias = c.modelType().equals("qwen2") ? !m.equals("o_proj") : c.attentionBias();
                if (bias) keys.add(l + "self_attn." + m + ".bias");
            }
            if (c.modelType().equals("qwen3")) {
                keys.add(l + "self_attn.q_norm.weight");
                keys.add(l + "self_attn.k_norm.weight");
            }
            for (String m : List.of("gate_proj", "up_proj", "down_proj")) keys.add(l + "mlp." + m + ".weight");
            keys.add(l + "input_layernorm.weight");
            keys.add(l + "post_attention_layernorm.weight");
        }
        return keys;
    }

    @Test
    void aConfigWrittenInEitherLayoutReadsBackAsTheSameConfig() {
        for (LlamaConfig config : configs()) {
            ObjectNode v5 = config.toJson();
            ObjectNode v4 = otherLayout(v5);
            assertTrue(v4.has("rope_theta") && v4.has("torch_dtype") && !v4.has("rope_parameters"), v4.toString());
            assertEquals(config, LlamaConfig.from(new ConfigJson(v5, "5.x")).toBuilder().raw(null).build());
            assertEquals(config, LlamaConfig.from(new ConfigJson(v4, "4.x")).toBuilder().raw(null).build());
            ObjectNode again = LlamaConfig.from(new ConfigJson(v4, "4.x")).toJson();
            assertTrue(again.has("rope_theta") && !again.has("rope_parameters") && !again.has("dtype"),
                    "a config read in the 4.x layout is written in it: " + again);
        }
    }

    @Test
    void aTokenInfluencesOnlyPositionsWithinLayersTimesWindowMinusOne() {
        LlamaConfig mistral = configs().get(1);  // 3 layers, window 3: token 0 reaches positions 0 .. 6
        LlamaForCausalLM model = randomModel(mistral, 11);
        long[] changed = IDS.clone();
        changed[0] = 44;
        try (var scope = GradMode.noGrad()) {
            int t = IDS.length, v = mistral.vocabSize();
            float[] a = model.logits(Tensor.ofLongs(IDS, 1, t), null, null, null).toFloatArray();
            float[] b = model.logits(Tensor.ofLongs(changed, 1, t), null, null, null).toFloatArray();
            int reach = mistral.numHiddenLayers() * (mistral.slidingWindow() - 1);
            assertFalse(Arrays.equals(Arrays.copyOfRange(a, reach * v, (reach + 1) * v),
                    Arrays.copyOfRange(b, reach * v, (reach + 1) * v)), "position " + reach + " is within reach");
            assertArrayEquals(Arrays.copyOfRange(a, (reach + 1) * v, t * v), Arrays.copyOfRange(b, (reach + 1) * v, t * v),
                    "positions beyond " + reach);
        }
    }

    @Test
    void qwenLayersBelowMaxWindowLayersAttendToEverything() {
        ObjectNode json = configs().get(2).toJson();
        assertEquals(1, json.get("max_window_layers").asInt());
        json.remove("layer_types");
        LlamaConfig read = LlamaConfig.from(new ConfigJson(json, "config.json"));
        assertEquals(List.of(0, 5, 5), List.of(read.window(0), read.window(1), read.window(2)));
        json.put("use_sliding_window", false);
        read = LlamaConfig.from(new ConfigJson(json, "config.json"));
        assertEquals(List.of(0, 0, 0), List.of(read.window(0), read.window(1), read.window(2)),
                "sliding_window is ignored without use_sliding_window, as in the Qwen2.5 configs");
    }

    @Test
    void headDimDefaultsFollowEachConfigClass() {
        ObjectNode json = ConfigJson.MAPPER.createObjectNode().put("hidden_size", 64).put("num_attention_heads", 4)
                .put("num_key_value_heads", 2);
        assertEquals(128, read(json.put("model_type", "qwen3")).headDim(), "Qwen3Config's default");
        assertEquals(16, read(json.put("model_type", "qwen2").put("head_dim", 8)).headDim(), "Qwen2 has no head_dim");
        assertEquals(8, read(json.put("model_type", "mistral")).headDim());
        assertEquals(16, read(json.putNull("head_dim").put("model_type", "llama")).headDim());
        assertEquals(4096, read(json.put("model_type", "mistral")).window(0), "MistralConfig's default window");
    }

    @Test
    void settingsJtuneDoesNotRunAreRefusedNamingTheKey() {
        Map<String, String> cases = Map.of(
                "rope_scaling", "{\"model_type\": \"qwen2\", \"rope_scaling\": {\"rope_type\": \"yarn\", \"factor\": 4.0}}",
                "rope_parameters", "{\"model_type\": \"qwen3\", \"rope_parameters\": {\"rope_theta\": 1e6, \"rope_type\": \"linear\", \"factor\": 2.0}}",
                "partial_rotary_factor", "{\"model_type\": \"llama\", \"partial_rotary_factor\": 0.5}",
                "hidden_act", "{\"model_type\": \"mistral\", \"hidden_act\": \"gelu\"}",
                "attention_dropout", "{\"model_type\": \"qwen3\", \"attention_dropout\": 0.1}",
                "sliding_window", "{\"model_type\": \"llama\", \"sliding_window\": 4}",
                "layer_types", "{\"model_type\": \"qwen2\", \"num_hidden_layers\": 2, \"sliding_window\": 4,"
                        + " \"layer_types\": [\"full_attention\", \"sliding_attention\"]}",
                "pretraining_tp", "{\"model_type\": \"llama\", \"pretraining_tp\": 2}");
        cases.forEach((key, text) -> {
            String message = assertThrows(IllegalArgumentException.class,
                    () -> read((ObjectNode) ConfigJson.MAPPER.readTree(text)), key).getMessage();
            assertTrue(message.contains(key), key + ": " + message);
        });
        String message = assertThrows(IllegalArgumentException.class, () -> read((ObjectNode) ConfigJson.MAPPER
                .readTree("{\"model_type\": \"llama\", \"rope_scaling\": {\"rope_type\": \"llama3\", \"factor\": 8.0,"
                        + " \"low_freq_factor\": 1.0, \"high_freq_factor\": 4.0,"
                        + " \"original_max_position_embeddings\": 128, \"beta_fast\": 32}}"))).getMessage();
        assertTrue(message.contains("rope_scaling") && message.contains("beta_fast"), message);
    }

    @Test
    void thePadTokensEmbeddingRowGetsNoGradientFromTheLookupAsWithPaddingIdx() {
        LlamaConfig untied = configs().get(1).toBuilder().padTokenId(8).build();
        LlamaForCausalLM model = randomModel(untied, 19);
        Tensor ids = Tensor.ofLongs(new long[] {4, 8, 15, 8, 23, 42}, 1, 6);  // the pad id inside real text
        Tensor logits = model.forward(ids, null, ids).logits();
        model.forward(ids, null, ids).loss().backward();
        float[] grad = model.inputEmbeddings().grad().toFloatArray();
        int c = untied.hiddenSize();
        assertArrayEquals(new float[c], Arrays.copyOfRange(grad, 8 * c, 9 * c), "row of pad_token_id 8");
        assertFalse(Arrays.equals(new float[c], Arrays.copyOfRange(grad, 15 * c, 16 * c)), "row of token 15");
        try (var scope = GradMode.noGrad()) {
            assertArrayEquals(logits.toFloatArray(), model.logits(ids, null, null, null).toFloatArray(),
                    "the values are the lookup's");
        }
    }

    @Test
    void aConfigWithoutModelTypeIsDispatchedByItsArchitecture() throws Exception {
        LlamaForCausalLM model = randomModel(configs().get(0), 13);
        model.savePretrained(dir);
        ObjectNode json = (ObjectNode) ConfigJson.MAPPER.readTree(dir.resolve("config.json").toFile());
        json.remove("model_type");
        Files.writeString(dir.resolve("config.json"), json.toString());
        assertEquals("qwen3", AutoModelForCausalLM.fromPretrained(dir).config().modelType());
    }

    private static LlamaConfig read(ObjectNode json) {
        return LlamaConfig.from(new ConfigJson(json.deepCopy(), "config.json"));
    }

    /**
     * Feeds {@code ids} through a KV cache, {@code prompt} tokens then one at a time, and checks each step's logits
     * against the last position of the full forward over the same prefix.
     */
    static void assertCacheMatchesFullForward(PreTrainedCausalLM model, long[] ids, int prompt) {
        model.eval();
        try (var scope = GradMode.noGrad()) {
            Tensor full = model.logits(Tensor.ofLongs(ids, 1, ids.length), null, null, null);  // (1, T, V)
            KVCache cache = model.newCache();
            Tensor step = model.logits(Tensor.ofLongs(Arrays.copyOf(ids, prompt), 1, prompt), null, null, cache, 1);
            for (int len = prompt; ; len++) {
                Compare.assertClose(model.config().modelType() + " position " + (len - 1), step,
                        full.narrow(1, len - 1, 1), 1e-5);
                if (len == ids.length) break;
                step = model.logits(Tensor.ofLongs(new long[] {ids[len]}, 1, 1), null, null, cache);
            }
        }
    }

    /** The same config in the other layout: 5.x ({@code rope_parameters}, {@code dtype}) ↔ 4.x. */
    static ObjectNode otherLayout(ObjectNode config) {
        ObjectNode j = config.deepCopy();
        if (j.has("rope_parameters")) {
            ObjectNode rope = (ObjectNode) j.remove("rope_parameters");
            j.set("rope_theta", rope.remove("rope_theta"));
            if (rope.path("rope_type").asText().equals("default")) j.putNull("rope_scaling"); else j.set("rope_scaling", rope);
            j.set("torch_dtype", j.remove("dtype"));
            j.remove("layer_types");
        } else {
            ObjectNode rope = j.putObject("rope_parameters");
            rope.set("rope_theta", j.remove("rope_theta"));
            JsonNode scaling = j.remove("rope_scaling");
            if (scaling == null || scaling.isNull()) rope.put("rope_type", "default"); else rope.setAll((ObjectNode) scaling);
            j.set("dtype", j.remove("torch_dtype"));
        }
        return j;
    }

    /** Keys of a map, sorted, for messages. */
    static String sorted(Map<String, ?> m) {
        return m.keySet().stream().sorted().collect(Collectors.joining(", "));
    }
}
