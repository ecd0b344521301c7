package dev.jtune.nn;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.jtune.nn.llama.LlamaConfig;
import dev.jtune.nn.llama.RopeScaling;
import org.junit.jupiter.api.Test;

/**
 * The config.json key sets of the checkpoints people fine-tune (transformers 4.x layout, as on the hub: Qwen2.5-0.5B,
 * Qwen3-0.6B, SmolLM2-135M, Llama-3.2-1B with Instruct's eos list, Mistral-7B-v0.1) read with the right switches, and are written back with
 * every one of their fields unchanged. Only the config is read: no weights are allocated.
 */
class HubConfigLayoutsTest {

    @Test
    void qwen25HalfBillionIsATiedQwen2WithoutWindow() throws Exception {
        LlamaConfig c = read("""
                {"architectures": ["Qwen2ForCausalLM"], "attention_dropout": 0.0, "bos_token_id": 151643,
                 "eos_token_id": 151643, "hidden_act": "silu", "hidden_size": 896, "initializer_range": 0.02,
                 "intermediate_size": 4864, "max_position_embeddings": 32768, "max_window_layers": 24,
                 "model_type": "qwen2", "num_attention_heads": 14, "num_hidden_layers": 24, "num_key_value_heads": 2,
                 "rms_norm_eps": 1e-06, "rope_theta": 1000000.0, "sliding_window": 32768, "tie_word_embeddings": true,
                 "torch_dtype": "bfloat16", "transformers_version": "4.40.1", "use_cache": true,
                 "use_sliding_window": false, "vocab_size": 151936}""");
        assertEquals(64, c.headDim());
        assertTrue(c.qkvBias() && !c.oProjBias() && !c.qkNorm() && c.tieWordEmbeddings());
        assertEquals(0, c.window(23), "use_sliding_window false: no window");
        assertEquals(1e6, c.ropeTheta());
    }

    @Test
    void qwen3SixHundredMillionHasHeadDim128AndQkNorms() throws Exception {
        LlamaConfig c = read("""
                {"architectures": ["Qwen3ForCausalLM"], "attention_bias": false, "attention_dropout": 0.0,
                 "bos_token_id": 151643, "eos_token_id": 151645, "head_dim": 128, "hidden_act": "silu",
                 "hidden_size": 1024, "initializer_range": 0.02, "intermediate_size": 3072,
                 "max_position_embeddings": 40960, "max_window_layers": 28, "model_type": "qwen3",
                 "num_attention_heads": 16, "num_hidden_layers": 28, "num_key_value_heads": 8, "rms_norm_eps": 1e-06,
                 "rope_scaling": null, "rope_theta": 1000000, "sliding_window": null, "tie_word_embeddings": true,
                 "torch_dtype": "bfloat16", "transformers_version": "4.51.0", "use_cache": true,
                 "use_sliding_window": false, "vocab_size": 151936}""");
        assertEquals(128, c.headDim());
        assertTrue(c.qkNorm() && !c.qkvBias() && c.tieWordEmbeddings());
        assertEquals(2 * 1024 * 16 * 128 + 2 * 1024 * 8 * 128 + 2 * 128 + 3 * 1024 * 3072 + 2 * 1024,
                (c.numParameters() - 151936L * 1024 - 1024) / 28, "parameters per layer");
    }

    @Test
    void smolLM2IsATiedLlama() throws Exception {
        LlamaConfig c = read("""
                {"architectures": ["LlamaForCausalLM"], "attention_bias": false, "attention_dropout": 0.0,
                 "bos_token_id": 0, "eos_token_id": 0, "hidden_act": "silu", "hidden_size": 576,
                 "initializer_range": 0.041666666666666664, "intermediate_size": 1536, "is_llama_config": true,
                 "max_position_embeddings": 8192, "mlp_bias": false, "model_type": "llama", "num_attention_heads": 9,
                 "num_hidden_layers": 30, "num_key_value_heads": 3, "pretraining_tp": 1, "rms_norm_eps": 1e-05,
                 "rope_interleaved": false, "rope_scaling": null, "rope_theta": 100000, "tie_word_embeddings": true,
                 "torch_dtype": "bfloat16", "transformers_version": "4.42.3", "use_cache": true, "vocab_size": 49152}""");
        assertEquals(64, c.headDim());
        assertTrue(c.tieWordEmbeddings());
        assertNull(c.ropeScaling());
    }

    @Test
    void llama32HasLlama3RopeScaling() throws Exception {
        LlamaConfig c = read("""
                {"architectures": ["LlamaForCausalLM"], "attention_bias": false, "attention_dropout": 0.0,
                 "bos_token_id": 128000, "eos_token_id": [128001, 128008, 128009], "head_dim": 64, "hidden_act": "silu",
                 "hidden_size": 2048, "initializer_range": 0.02, "intermediate_size": 8192,
                 "max_position_embeddings": 131072, "mlp_bias": false, "model_type": "llama",
                 "num_attention_heads": 32, "num_hidden_layers": 16, "num_key_value_heads": 8, "pretraining_tp": 1,
                 "rms_norm_eps": 1e-05, "rope_scaling": {"factor": 32.0, "high_freq_factor": 4.0,
                 "low_freq_factor": 1.0, "original_max_position_embeddings": 8192, "rope_type": "llama3"},
                 "rope_theta": 500000.0, "tie_word_embeddings": true, "torch_dtype": "bfloat16",
                 "transformers_version": "4.45.0.dev0", "use_cache": true, "vocab_size": 128256}""");
        assertEquals(new RopeScaling(32, 1, 4, 8192), c.ropeScaling());
        assertEquals(500000.0, c.ropeTheta());
        assertEquals(128001, c.eosTokenId(), "the first of Llama 3 Instruct's eos ids");
    }

    @Test
    void mistral7bAttendsThroughA4096KeyWindowOnEveryLayer() throws Exception {
        LlamaConfig c = read("""
                {"architectures": ["MistralForCausalLM"], "bos_token_id": 1, "eos_token_id": 2, "hidden_act": "silu",
                 "hidden_size": 4096, "initializer_range": 0.02, "intermediate_size": 14336,
                 "max_position_embeddings": 32768, "model_type": "mistral", "num_attention_heads": 32,
                 "num_hidden_layers": 32, "num_key_value_heads": 8, "rms_norm_eps": 1e-05, "rope_theta": 10000.0,
                 "sliding_window": 4096, "tie_word_embeddings": false, "torch_dtype": "bfloat16",
                 "transformers_version": "4.34.0.dev0", "use_cache": true, "vocab_size": 32000}""");
        assertEquals(128, c.headDim());
        assertEquals(4096, c.window(0));
        assertEquals(4096, c.window(31));
        assertFalse(c.qkvBias());
    }

    /** Reads {@code text} and checks that writing it back changes none of its fields but the dtype. */
    private static LlamaConfig read(String text) throws Exception {
        ObjectNode json = (ObjectNode) ConfigJson.MAPPER.readTree(text);
        LlamaConfig config = LlamaConfig.from(new ConfigJson(json.deepCopy(), "config.json"));
        ObjectNode written = config.toJson();
        json.fieldNames().forEachRemaining(field -> {
            if (!field.equals("torch_dtype")) assertEquals(json.get(field), written.get(field), field);
        });
        assertEquals("float32", written.get("torch_dtype").asText(), "jtune saves float32 weights");
        return config;
    }
}
