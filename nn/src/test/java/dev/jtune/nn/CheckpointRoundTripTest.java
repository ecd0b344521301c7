package dev.jtune.nn;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotSame;
import static org.junit.jupiter.api.Assertions.assertSame;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import dev.jtune.core.Tensor;
import dev.jtune.nn.gpt2.GPT2Config;
import dev.jtune.nn.gpt2.GPT2LMHeadModel;
import dev.jtune.nn.llama.LlamaConfig;
import dev.jtune.nn.llama.LlamaForCausalLM;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** savePretrained then fromPretrained gives identical logits, with HF's file names, keys and config fields. */
class CheckpointRoundTripTest {

    @TempDir
    Path dir;

    private static final Tensor IDS = Tensor.ofLongs(new long[] {1, 5, 9, 2, 7, 3}, 2, 3);

    @Test
    void gpt2SavedAndReloadedGivesIdenticalLogitsAndStoresTheTiedHeadOnce() throws Exception {
        GPT2LMHeadModel model = new GPT2LMHeadModel(GPT2Config.builder()
                .vocabSize(11).nPositions(8).nEmbd(8).nLayer(2).nHead(2).build(), 42);
        model.eval();
        model.savePretrained(dir);
        PreTrainedCausalLM loaded = AutoModelForCausalLM.fromPretrained(dir);
        assertArrayEquals(model.logits(IDS, null, null, null).toFloatArray(), loaded.logits(IDS, null, null, null).toFloatArray());

        Map<String, Tensor> file = Checkpoints.loadTensors(dir);
        assertTrue(file.containsKey("transformer.wte.weight"));
        assertFalse(file.containsKey("lm_head.weight"), "tied head is stored once, as transformers does");
        JsonNode config = ConfigJson.MAPPER.readTree(dir.resolve("config.json").toFile());
        assertEquals("gpt2", config.get("model_type").asText());
        assertEquals(11, config.get("vocab_size").asInt());
        assertEquals("GPT2LMHeadModel", config.get("architectures").get(0).asText());
    }

    @Test
    void llamaWithUntiedHeadRoundTrips() throws Exception {
        LlamaForCausalLM model = new LlamaForCausalLM(LlamaConfig.builder()
                .vocabSize(13).hiddenSize(8).intermediateSize(12).numHiddenLayers(2)
                .numAttentionHeads(4).numKeyValueHeads(2).build(), 7);
        model.savePretrained(dir);
        PreTrainedCausalLM loaded = AutoModelForCausalLM.fromPretrained(dir);
        assertArrayEquals(model.logits(IDS, null, null, null).toFloatArray(), loaded.logits(IDS, null, null, null).toFloatArray());
        assertTrue(Checkpoints.loadTensors(dir).containsKey("lm_head.weight"));
    }

    @Test
    void resizeTokenEmbeddingsAppendsMeanRowsAndKeepsTheHeadTied() throws Exception {
        GPT2LMHeadModel model = new GPT2LMHeadModel(GPT2Config.builder()
                .vocabSize(10).nPositions(8).nEmbd(4).nLayer(1).nHead(2).build(), 1);
        Tensor before = model.inputEmbeddings().value();
        assertEquals(16, model.resizeTokenEmbeddings(11, 8));
        Tensor after = model.inputEmbeddings().value();
        assertArrayEquals(new int[] {16, 4}, after.shape());
        assertArrayEquals(before.toFloatArray(), after.narrow(0, 0, 10).toFloatArray());
        assertArrayEquals(before.mean(0, false).toFloatArray(), after.narrow(0, 15, 1).reshape(4).toFloatArray(), 1e-7f);
        assertEquals(16, model.config().vocabSize());
        assertEquals(16, model.logits(IDS, null, null, null).size(2), "the tied head follows the resize");
        model.savePretrained(dir);
        assertEquals(16, AutoModelForCausalLM.fromPretrained(dir).config().vocabSize());
        assertTrue(Files.exists(dir.resolve("model.safetensors")));
    }

    @Test
    void anUntiedGpt2HeadIsItsOwnLinearAndIsSaved() throws Exception {
        GPT2Config config = GPT2Config.builder().vocabSize(11).nPositions(8).nEmbd(8).nLayer(1).nHead(2)
                .tieWordEmbeddings(false).build();
        GPT2LMHeadModel model = new GPT2LMHeadModel(config, 3);
        model.eval();  // no dropout
        assertNotSame(model.inputEmbeddings(), model.outputEmbeddings());
        model.savePretrained(dir);
        assertTrue(Checkpoints.loadTensors(dir).containsKey("lm_head.weight"));
        PreTrainedCausalLM loaded = AutoModelForCausalLM.fromPretrained(dir);
        assertArrayEquals(model.outputEmbeddings().value().toFloatArray(), loaded.outputEmbeddings().value().toFloatArray());
        assertArrayEquals(model.logits(IDS, null, null, null).toFloatArray(), loaded.logits(IDS, null, null, null).toFloatArray());
    }

    @Test
    void tyingIsDecidedByTheConfigNotByWhatTheCheckpointStores() throws Exception {
        GPT2Config untied = GPT2Config.builder().vocabSize(11).nPositions(8).nEmbd(8).nLayer(1).nHead(2)
                .tieWordEmbeddings(false).build();
        GPT2LMHeadModel model = new GPT2LMHeadModel(untied, 3);
        model.savePretrained(dir);
        // the same weights under a config that ties: transformers ignores the stored lm_head.weight
        ConfigJson.write(untied.toBuilder().tieWordEmbeddings(true).build().toJson(), dir);
        PreTrainedCausalLM tied = AutoModelForCausalLM.fromPretrained(dir);
        assertSame(tied.inputEmbeddings(), tied.outputEmbeddings());
        assertArrayEquals(model.inputEmbeddings().value().toFloatArray(), tied.outputEmbeddings().value().toFloatArray());
    }

    @Test
    void aTiedLlamaStoresItsHeadOnceAndLoadsBackTied() throws Exception {
        LlamaConfig config = LlamaConfig.builder().vocabSize(13).hiddenSize(8).intermediateSize(12).numHiddenLayers(1)
                .numAttentionHeads(2).tieWordEmbeddings(true).build();
        LlamaForCausalLM model = new LlamaForCausalLM(config, 5);
        model.savePretrained(dir);
        assertFalse(Checkpoints.loadTensors(dir).containsKey("lm_head.weight"));
        PreTrainedCausalLM loaded = AutoModelForCausalLM.fromPretrained(dir);
        assertSame(loaded.inputEmbeddings(), loaded.outputEmbeddings());
        assertArrayEquals(model.logits(IDS, null, null, null).toFloatArray(), loaded.logits(IDS, null, null, null).toFloatArray());
    }
}
