package dev.jtune.nn;

import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.jtune.core.Tensor;
import dev.jtune.core.io.SafetensorsWriter;
import dev.jtune.nn.gpt2.GPT2Config;
import dev.jtune.nn.gpt2.GPT2LMHeadModel;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Map;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** Corrupted weights, a wrong config, a missing tensor: clear errors naming the file and the problem. */
class BadCheckpointTest {

    @TempDir
    Path dir;

    @BeforeEach
    void saveAModel() throws IOException {
        new GPT2LMHeadModel(GPT2Config.builder()
                .vocabSize(11).nPositions(8).nEmbd(8).nLayer(1).nHead(2).build(), 1).savePretrained(dir);
    }

    private String failure(Class<? extends Exception> type) {
        return assertThrows(type, () -> AutoModelForCausalLM.fromPretrained(dir)).getMessage();
    }

    @Test
    void truncatedWeightsNameTheFile() throws IOException {
        Path weights = dir.resolve("model.safetensors");
        byte[] bytes = Files.readAllBytes(weights);
        Files.write(weights, java.util.Arrays.copyOf(bytes, bytes.length - 10));
        String message = failure(IOException.class);
        assertTrue(message.contains("model.safetensors"), message);
    }

    @Test
    void unknownModelTypeIsRejected() throws IOException {
        rewriteConfig("\"gpt2\"", "\"bert\"");
        String message = failure(IllegalArgumentException.class);
        assertTrue(message.contains("unsupported model_type 'bert'"), message);
    }

    @Test
    void unsupportedSettingIsRejectedInsteadOfRunningAnotherModel() throws IOException {
        rewriteConfig("\"n_head\"", "\"scale_attn_by_inverse_layer_idx\": true, \"n_head\"");
        String message = failure(IllegalArgumentException.class);
        assertTrue(message.contains("scale_attn_by_inverse_layer_idx"), message);
    }

    @Test
    void aShapeMismatchAgainstTheConfigNamesTheFieldAndTheTensor() throws IOException {
        rewriteConfig("\"n_positions\": 8", "\"n_positions\": 9");
        String message = failure(IOException.class);
        assertTrue(message.endsWith("config.json: n_positions 9 but model.safetensors has transformer.wpe.weight [8, 8]"),
                message);
    }

    @Test
    void aWiderConfigIsOneLineWithACountOfTheOtherDifferences() throws IOException {
        rewriteConfig("\"n_embd\": 8", "\"n_embd\": 12");
        String message = failure(IOException.class);
        assertTrue(message.matches(".*config\\.json: n_embd 12 but model\\.safetensors has transformer\\.wte\\.weight "
                + "\\[11, 8]; \\d+ more tensors differ"), message);
        assertFalse(message.contains("\n"), message);
    }

    @Test
    void anAbsurdLayerCountIsRefusedBeforeAnythingIsBuilt() throws IOException {
        rewriteConfig("\"n_layer\": 1", "\"n_layer\": 2147483647");
        String message = failure(IllegalArgumentException.class);
        assertTrue(message.contains("config.json: field 'n_layer' must be a size between 1 and"), message);
        rewriteConfig("\"n_layer\": 2147483647", "\"n_layer\": 1000000");
        message = assertThrows(IOException.class, () -> AutoModelForCausalLM.fromPretrained(dir)).getMessage();
        assertTrue(message.contains("config.json: describes a model of") && message.contains("model.safetensors holds"),
                message);
    }

    @Test
    void valuesNoModelHasAreRefusedNamingTheField() throws IOException {
        rewriteConfig("\"attn_pdrop\": 0.1", "\"attn_pdrop\": -1");
        assertTrue(failure(IllegalArgumentException.class).contains("config.json: field 'attn_pdrop' must be a probability"));
        rewriteConfig("\"attn_pdrop\": -1", "\"attn_pdrop\": 0.1");
        rewriteConfig("\"pad_token_id\": null", "\"pad_token_id\": 11");
        assertTrue(failure(IllegalArgumentException.class)
                .contains("config.json: field 'pad_token_id' must be a token id below vocab_size 11, got 11"));
    }

    @Test
    void nonFiniteWeightsNameTheTensor() throws IOException {
        Map<String, Tensor> tensors = Checkpoints.loadTensors(dir);
        SafetensorsWriter writer = new SafetensorsWriter();
        tensors.forEach((name, t) -> {
            float[] values = t.toFloatArray();
            if (name.equals("transformer.h.0.mlp.c_fc.weight")) values[5] = Float.NaN;
            writer.addFloats(name, java.util.Arrays.stream(t.shape()).asLongStream().toArray(), values);
        });
        writer.write(dir.resolve("model.safetensors"));
        String message = failure(IOException.class);
        assertTrue(message.contains("model.safetensors: tensor transformer.h.0.mlp.c_fc.weight holds NaN at index 5"),
                message);
    }

    @Test
    void trailingContentAndDuplicateKeysInConfigJsonAreRefused() throws IOException {
        Path config = dir.resolve("config.json");
        String json = Files.readString(config);
        Files.writeString(config, json + "{}");
        assertTrue(failure(IOException.class).contains("config.json: malformed JSON: Trailing token"));
        Files.writeString(config, json.replaceFirst("\\{", "{\"n_layer\": 1, "));
        assertTrue(failure(IOException.class).contains("config.json: malformed JSON: Duplicate field 'n_layer'"));
    }

    @Test
    void malformedConfigJsonNamesTheFile() throws IOException {
        Files.writeString(dir.resolve("config.json"), "{\"model_type\": ");
        String message = failure(IOException.class);
        assertTrue(message.contains("config.json: malformed JSON"), message);
    }

    @Test
    void aMissingTensorIsReported() throws IOException {
        new dev.jtune.core.io.SafetensorsWriter().addFloats("transformer.wte.weight", new long[] {11, 8}, new float[88])
                .write(dir.resolve("model.safetensors"));
        String message = failure(IOException.class);
        assertTrue(message.contains("the model has transformer.wpe.weight [8, 8] but model.safetensors does not; "),
                message);
    }

    private void rewriteConfig(String from, String to) throws IOException {
        Path config = dir.resolve("config.json");
        String json = Files.readString(config).replaceAll("\\s*\\n\\s*", " ").replace(" : ", ": ");
        assertTrue(json.contains(from), json);
        Files.writeString(config, json.replace(from, to));
    }
}
