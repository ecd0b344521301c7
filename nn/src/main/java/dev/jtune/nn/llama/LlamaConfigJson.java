package dev.jtune.nn.llama;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.jtune.nn.ConfigJson;
import java.util.ArrayList;
import java.util.List;
import java.util.Set;

/**
 * {@link LlamaConfig} from and to {@code config.json}, in both layouts transformers has used: 4.x ({@code rope_theta},
 * {@code rope_scaling}, {@code torch_dtype}; the hub's checkpoints) and 5.x ({@code rope_parameters}, {@code dtype}).
 * Each model type is read as its transformers configuration class reads it (its defaults, its head_dim rule, its
 * window rule), and written back with the keys that class writes, in the layout it was read in.
 */
final class LlamaConfigJson {

    /** The keys a RoPE object may hold; anything else is a setting jtune does not run. */
    private static final Set<String> ROPE_KEYS = Set.of("rope_type", "type", "rope_theta", "factor", "low_freq_factor",
            "high_freq_factor", "original_max_position_embeddings", "partial_rotary_factor");

    private LlamaConfigJson() {}

    static LlamaConfig read(ConfigJson c) {
        String type = c.modelType();
        c.require(LlamaConfig.ARCHITECTURES.containsKey(type), "model_type", String.join(", ",
                LlamaConfig.ARCHITECTURES.keySet()));
        c.require("silu".equals(c.string("hidden_act", "silu")), "hidden_act", "silu");
        c.require(c.number("attention_dropout", 0) == 0, "attention_dropout", "0 (no attention dropout)");
        c.require(c.number("partial_rotary_factor", 1) == 1, "partial_rotary_factor", "1 (RoPE over the whole head)");
        if (type.equals("llama")) c.require(c.integer("pretraining_tp", 1) == 1, "pretraining_tp", "1");
        LlamaConfig.Builder d = LlamaConfig.builder(type);
        LlamaConfig defaults = d.build();
        int hidden = c.size("hidden_size", defaults.hiddenSize());
        int heads = c.size("num_attention_heads", defaults.numAttentionHeads());
        int vocab = c.size("vocab_size", defaults.vocabSize());
        int layers = c.size("num_hidden_layers", defaults.numHiddenLayers());
        // head_dim: Qwen2 has no such key; Qwen3's class default is 128; Llama and Mistral derive it when absent or null
        int headDim = switch (type) {
            case "qwen2" -> hidden / heads;
            case "qwen3" -> c.size("head_dim", defaults.headDim());
            default -> c.size("head_dim", hidden / heads);
        };
        d.vocabSize(vocab).hiddenSize(hidden).intermediateSize(c.size("intermediate_size", defaults.intermediateSize()))
                .numHiddenLayers(layers).numAttentionHeads(heads)
                .numKeyValueHeads(c.size("num_key_value_heads", type.equals("mistral") ? 8 : heads)).headDim(headDim)
                .maxPositionEmbeddings(c.size("max_position_embeddings", defaults.maxPositionEmbeddings()))
                .rmsNormEps(c.positive("rms_norm_eps", defaults.rmsNormEps()))
                .tieWordEmbeddings(c.bool("tie_word_embeddings", false))
                .initializerRange(c.positive("initializer_range", defaults.initializerRange()))
                .bosTokenId(c.tokenId("bos_token_id", defaults.bosTokenId()))
                .eosTokenId(c.tokenId("eos_token_id", defaults.eosTokenId()))
                .padTokenId(c.tokenId("pad_token_id", -1, vocab)).raw(c.node());
        if (type.equals("llama") || type.equals("qwen3")) d.attentionBias(c.bool("attention_bias", false));
        if (type.equals("llama")) d.mlpBias(c.bool("mlp_bias", false));
        readRope(c, d);
        readWindows(c, type, layers, d);
        return c.build(d::build);
    }

    /** rope_theta and rope_scaling (4.x), or rope_parameters (5.x): the default RoPE or Llama 3's scaling. */
    private static void readRope(ConfigJson c, LlamaConfig.Builder d) {
        JsonNode parameters = c.node().path("rope_parameters"), scaling = c.node().path("rope_scaling");
        boolean hasParameters = !parameters.isMissingNode() && !parameters.isNull();
        boolean hasScaling = !scaling.isMissingNode() && !scaling.isNull();
        c.require(!hasParameters || parameters.isObject(), "rope_parameters", "an object");
        c.require(!hasScaling || scaling.isObject(), "rope_scaling", "null or an object");
        c.require(!(hasParameters && hasScaling), "rope_scaling", "null when rope_parameters is given");
        double theta = c.positive("rope_theta", 10000);
        if (!hasParameters && !hasScaling) {
            d.ropeTheta(theta);
            return;
        }
        String key = hasParameters ? "rope_parameters" : "rope_scaling";
        JsonNode rope = hasParameters ? parameters : scaling;
        for (var names = rope.fieldNames(); names.hasNext(); ) {
            String name = names.next();
            c.require(ROPE_KEYS.contains(name) && (hasParameters || !name.equals("rope_theta")), key,
                    "the keys " + ROPE_KEYS + " (not '" + name + "')");
        }
        if (hasParameters && rope.has("rope_theta")) theta = number(c, rope, key, "rope_theta");
        c.require(theta > 0, key, "a positive rope_theta");
        c.require(!rope.has("partial_rotary_factor") || number(c, rope, key, "partial_rotary_factor") == 1, key,
                "partial_rotary_factor 1 (RoPE over the whole head)");
        JsonNode typeNode = rope.has("rope_type") ? rope.get("rope_type") : rope.path("type");
        String ropeType = typeNode.isMissingNode() ? "default" : typeNode.asText();
        c.require(typeNode.isMissingNode() || typeNode.isTextual(), key, "a string rope_type");
        d.ropeTheta(theta);
        switch (ropeType) {
            case "default" -> c.require(!rope.has("factor"), key, "no factor with rope_type 'default'");
            case RopeScaling.LLAMA3 -> {
                for (String k : List.of("factor", "low_freq_factor", "high_freq_factor",
                        "original_max_position_embeddings")) {
                    c.require(rope.has(k), key, "llama3 scaling with " + k);
                }
                JsonNode original = rope.get("original_max_position_embeddings");
                c.require(original.canConvertToInt() && original.isIntegralNumber(), key,
                        "an integer original_max_position_embeddings");
                try {
                    d.ropeScaling(new RopeScaling(number(c, rope, key, "factor"),
                            number(c, rope, key, "low_freq_factor"),
                            number(c, rope, key, "high_freq_factor"), original.intValue()));
                } catch (IllegalArgumentException e) {
                    c.require(false, key, e.getMessage());
                }
            }
            default -> c.require(false, key, "rope_type 'default' or 'llama3'");
        }
    }

    private static double number(ConfigJson c, JsonNode rope, String key, String field) {
        JsonNode v = rope.get(field);
        c.require(v != null && v.isNumber() && Double.isFinite(v.doubleValue()), key, "a number " + field);
        return v.doubleValue();
    }

    /**
     * Which layers attend through a window. Llama: none. Mistral: every layer when {@code sliding_window} is set (an
     * absent key means MistralConfig's 4096). Qwen2/Qwen3: only with {@code use_sliding_window}, on the layers
     * {@code layer_types} marks {@code sliding_attention}, or without that key on layers {@code >= max_window_layers}.
     */
    private static void readWindows(ConfigJson c, String type, int layers, LlamaConfig.Builder d) {
        JsonNode windowNode = c.node().get("sliding_window");
        int window = windowNode == null ? (type.equals("llama") ? 0 : 4096)
                : windowNode.isNull() ? 0 : c.size("sliding_window", 0);
        List<String> layerTypes = null;
        JsonNode typesNode = c.node().get("layer_types");
        if (typesNode != null && !typesNode.isNull()) {
            c.require(typesNode.isArray() && typesNode.size() == layers, "layer_types",
                    "a list of num_hidden_layers = " + layers + " entries");
            layerTypes = new ArrayList<>();
            for (JsonNode t : typesNode) {
                boolean known = t.asText().equals(LlamaConfig.FULL) || t.asText().equals(LlamaConfig.SLIDING);
                c.require(t.isTextual() && known,
                        "layer_types", "'" + LlamaConfig.FULL + "' or '" + LlamaConfig.SLIDING + "' entries");
                layerTypes.add(t.asText());
            }
        }
        switch (type) {
            case "llama" -> {
                c.require(window == 0, "sliding_window", "null (Llama has no sliding window)");
                c.require(layerTypes == null || !layerTypes.contains(LlamaConfig.SLIDING), "layer_types",
                        "'" + LlamaConfig.FULL + "' entries (Llama has no sliding window)");
            }
            case "mistral" -> {
                c.require(layerTypes == null || layerTypes.stream().distinct().count() == 1
                        && layerTypes.getFirst().equals(window > 0 ? LlamaConfig.SLIDING : LlamaConfig.FULL),
                        "layer_types", "every entry '" + (window > 0 ? LlamaConfig.SLIDING : LlamaConfig.FULL)
                                + "', as sliding_window " + windowNode + " makes them");
                d.slidingWindow(window);
            }
            default -> {  // qwen2, qwen3
                boolean use = c.bool("use_sliding_window", false);
                int from = c.integer("max_window_layers", 28);
                if (layerTypes == null) {
                    layerTypes = new ArrayList<>();
                    for (int i = 0; i < layers; i++) {
                        layerTypes.add(use && window > 0 && i >= from ? LlamaConfig.SLIDING : LlamaConfig.FULL);
                    }
                }
                boolean sliding = layerTypes.contains(LlamaConfig.SLIDING);
                c.require(!sliding || use && window > 0, "layer_types",
                        "'" + LlamaConfig.SLIDING + "' only with use_sliding_window true and a sliding_window");
                d.slidingWindow(sliding ? window : 0).layerTypes(layerTypes);
            }
        }
    }

    /** The config.json of {@code config}: its raw fields with the modelled ones written over, in the raw's layout. */
    static ObjectNode write(LlamaConfig config) {
        ObjectNode j = config.raw().deepCopy();
        String type = config.modelType();
        boolean legacy = !j.has("rope_parameters") && !j.has("dtype")
                && (j.has("rope_theta") || j.has("rope_scaling") || j.has("torch_dtype"));
        j.put("model_type", type);
        if (!j.has("architectures")) j.putArray("architectures").add(config.architecture());
        j.put("vocab_size", config.vocabSize()).put("hidden_size", config.hiddenSize())
                .put("intermediate_size", config.intermediateSize()).put("num_hidden_layers", config.numHiddenLayers())
                .put("num_attention_heads", config.numAttentionHeads())
                .put("num_key_value_heads", config.numKeyValueHeads())
                .put("max_position_embeddings", config.maxPositionEmbeddings()).put("rms_norm_eps", config.rmsNormEps())
                .put("hidden_act", "silu").put("tie_word_embeddings", config.tieWordEmbeddings())
                .put("initializer_range", config.initializerRange());
        if (!type.equals("qwen2")) j.put("head_dim", config.headDim());
        if (type.equals("llama") || type.equals("qwen3")) j.put("attention_bias", config.attentionBias());
        if (type.equals("llama")) j.put("mlp_bias", config.mlpBias());
        keepEqualNumbers(j, config.raw());
        writeRope(config, j, legacy);
        writeWindows(config, j, legacy);
        j.remove(legacy ? "dtype" : "torch_dtype");
        j.put(legacy ? "torch_dtype" : "dtype", "float32");
        putTokenId(j, "bos_token_id", config.bosTokenId());
        putTokenId(j, "eos_token_id", config.eosTokenId());
        putTokenId(j, "pad_token_id", config.padTokenId());
        return j;
    }

    /** A token id, keeping a list whose first entry it is (Llama 3 Instruct's several eos ids). */
    private static void putTokenId(ObjectNode j, String field, int id) {
        JsonNode old = j.get(field);
        if (old == null || !old.isArray() || old.isEmpty() || old.get(0).asInt(-1) != id) ConfigJson.putTokenId(j, field, id);
    }

    private static void writeRope(LlamaConfig config, ObjectNode j, boolean legacy) {
        JsonNode before = j.get(legacy ? "rope_scaling" : "rope_parameters");
        ObjectNode rope = ConfigJson.MAPPER.createObjectNode();
        if (!legacy) rope.put("rope_theta", config.ropeTheta());
        if (config.ropeScaling() != null) {
            config.ropeScaling().putInto(rope);
        } else if (!legacy) {
            rope.put("rope_type", "default");
        }
        keepEqualNumbers(rope, before);
        j.remove(List.of("rope_theta", "rope_scaling", "rope_parameters"));
        if (legacy) {
            j.put("rope_theta", config.ropeTheta());
            keepEqualNumbers(j, ConfigJson.MAPPER.createObjectNode().set("rope_theta", config.raw().get("rope_theta")));
            if (config.ropeScaling() == null) j.putNull("rope_scaling"); else j.set("rope_scaling", rope);
        } else {
            j.set("rope_parameters", rope);
        }
    }

    /** Numbers of {@code written} that {@code before} holds with the same value keep their spelling (1e6, 1000000). */
    private static void keepEqualNumbers(ObjectNode written, JsonNode before) {
        if (before == null || !before.isObject()) return;
        written.properties().forEach(e -> {
            JsonNode old = before.get(e.getKey());
            JsonNode now = e.getValue();
            if (old != null && old.isNumber() && now.isNumber() && old.doubleValue() == now.doubleValue()) {
                e.setValue(old);
            }
        });
    }

    /** Mistral: sliding_window. Qwen: use_sliding_window, sliding_window, max_window_layers and (5.x) layer_types. */
    private static void writeWindows(LlamaConfig config, ObjectNode j, boolean legacy) {
        switch (config.modelType()) {
            case "llama" -> { }
            case "mistral" -> {
                if (config.slidingWindow() > 0) {
                    j.put("sliding_window", config.slidingWindow());
                } else {
                    j.putNull("sliding_window");
                }
            }
            default -> {
                List<String> types = config.layerTypes();
                int first = types.indexOf(LlamaConfig.SLIDING);
                boolean suffix = first < 0
                        || types.subList(first, types.size()).stream().allMatch(LlamaConfig.SLIDING::equals);
                j.put("use_sliding_window", first >= 0);
                if (first >= 0) {
                    j.put("sliding_window", config.slidingWindow());
                    if (suffix) j.put("max_window_layers", first);
                } else {
                    if (!j.has("sliding_window")) j.putNull("sliding_window");
                    if (!j.has("max_window_layers")) j.put("max_window_layers", config.numHiddenLayers());
                }
                if (!legacy || j.has("layer_types") || !suffix) {
                    var array = j.putArray("layer_types");
                    types.forEach(array::add);
                }
            }
        }
    }
}
