package dev.jtune.nn;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.jtune.core.testing.SharedFixtures;
import dev.jtune.nn.gpt2.GPT2Config;
import dev.jtune.nn.gpt2.GPT2LMHeadModel;
import dev.jtune.nn.llama.LlamaConfig;
import dev.jtune.nn.llama.LlamaForCausalLM;
import java.util.List;
import org.junit.jupiter.api.Test;

/** Builders start at transformers' defaults, presets have the shapes their names promise, copies keep derived fields. */
class ConfigPresetsTest {

    @Test
    void gpt2PresetIsTheHubGpt2ConfigJson() {
        ObjectNode json = GPT2Config.preset("gpt2").toJson();
        // the fields of openai-community/gpt2's config.json
        assertEquals(50257, json.get("vocab_size").asInt());
        assertEquals(1024, json.get("n_positions").asInt());
        assertEquals(768, json.get("n_embd").asInt());
        assertEquals(12, json.get("n_layer").asInt());
        assertEquals(12, json.get("n_head").asInt());
        assertTrue(json.get("n_inner").isNull());
        assertEquals("gelu_new", json.get("activation_function").asText());
        assertEquals(0.1, json.get("resid_pdrop").asDouble());
        assertEquals(0.1, json.get("embd_pdrop").asDouble());
        assertEquals(0.1, json.get("attn_pdrop").asDouble());
        assertEquals(1e-5, json.get("layer_norm_epsilon").asDouble());
        assertEquals(0.02, json.get("initializer_range").asDouble());
        assertEquals(50256, json.get("bos_token_id").asInt());
        assertEquals(50256, json.get("eos_token_id").asInt());
        assertTrue(json.get("tie_word_embeddings").asBoolean());
    }

    @Test
    void gpt2MediumIsTheHubModelsShape() {
        GPT2Config c = GPT2Config.preset("gpt2-medium");
        assertEquals(1024, c.nEmbd());
        assertEquals(24, c.nLayer());
        assertEquals(16, c.nHead());
        assertEquals(4096, c.nInner());
    }

    @Test
    void theSixteenMillionParameterPresetsHaveSixteenMillionParameters() {
        // wte 50257*256 + wpe 1024*256 + 4 blocks of 789,760 + ln_f 512 (tied head)
        assertEquals(16_287_488, new GPT2LMHeadModel(GPT2Config.preset("gpt2-16m"), 0).numParameters());
        // embed_tokens 50257*256 + 4 layers of 791,040 + norm 256 (tied head)
        assertEquals(16_030_208, new LlamaForCausalLM(LlamaConfig.preset("llama-16m"), 0).numParameters());
    }

    @Test
    void numParametersIsKnownBeforeTheModelIsBuilt() {
        for (GPT2Config c : List.of(GPT2Config.preset("tiny-gpt2"), GPT2Config.preset("tweet-gpt2-small").toBuilder()
                .tieWordEmbeddings(false).nInner(200).build())) {
            assertEquals(new GPT2LMHeadModel(c, 0).numParameters(), c.numParameters(), c.toString());
        }
        for (LlamaConfig c : List.of(LlamaConfig.preset("tiny-llama"), LlamaConfig.preset("llama-16m").toBuilder()
                .attentionBias(true).mlpBias(true).headDim(32).numKeyValueHeads(2).build())) {
            assertEquals(new LlamaForCausalLM(c, 0).numParameters(), c.numParameters(), c.toString());
        }
    }

    @Test
    void tinyPresetsAreTheHuggingFaceFixtureModels() throws Exception {
        ConfigJson gpt2 = ConfigJson.read(SharedFixtures.file("fixtures/hf/tiny-gpt2/model"));
        assertEquals(GPT2Config.preset("tiny-gpt2"), GPT2Config.from(gpt2).toBuilder().raw(null).build());
        ConfigJson llama = ConfigJson.read(SharedFixtures.file("fixtures/hf/tiny-llama/model"));
        assertEquals(LlamaConfig.preset("tiny-llama"), LlamaConfig.from(llama).toBuilder().raw(null).build());
    }

    @Test
    void anEmptyConfigJsonReadsAsTheBuildersDefaults() {
        ObjectNode gpt2 = ConfigJson.MAPPER.createObjectNode().put("model_type", "gpt2");
        assertEquals(GPT2Config.builder().build(), GPT2Config.from(new ConfigJson(gpt2, "config.json")).toBuilder()
                .raw(null).build());
        ObjectNode llama = ConfigJson.MAPPER.createObjectNode().put("model_type", "llama");
        assertEquals(LlamaConfig.preset("llama-7b"), LlamaConfig.from(new ConfigJson(llama, "config.json")).toBuilder()
                .raw(null).build());
    }

    @Test
    void aCopyWithOtherSizesRecomputesTheDerivedDefaults() {
        GPT2Config small = GPT2Config.preset("gpt2").toBuilder().nEmbd(64).nHead(4).build();
        assertEquals(256, small.nInner(), "n_inner null means 4 * n_embd");
        LlamaConfig tiny = LlamaConfig.preset("tinyllama-1.1b").toBuilder().hiddenSize(64).numAttentionHeads(8).build();
        assertEquals(8, tiny.headDim(), "head_dim null means hidden_size / num_attention_heads");
        assertEquals(4, tiny.numKeyValueHeads(), "an explicit key/value head count is kept");
    }

    @Test
    void anUnknownPresetListsTheKnownOnes() {
        String message = assertThrows(IllegalArgumentException.class, () -> GPT2Config.preset("gpt3")).getMessage();
        assertTrue(message.contains("gpt2-medium"), message);
        message = assertThrows(IllegalArgumentException.class, () -> LlamaConfig.preset("llama-70b")).getMessage();
        assertTrue(message.contains("tiny-llama"), message);
    }
}
