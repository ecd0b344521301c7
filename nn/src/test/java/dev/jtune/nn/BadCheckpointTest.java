package dev.jtune.nn;

import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.jtune.nn.gpt2.GPT2Config;
import dev.jtune.nn.gpt2.GPT2LMHeadModel;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
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
    void aShapeMismatchAgainstTheConfigNamesTheTensor() throws IOException {
        rewriteConfig("\"n_positions\": 8", "\"n_positions\": 9");
        String message = failure(IOException.class);
        assertTrue(message.contains("transformer.wpe.weight: checkpoint [8,8] vs model [9,8]"), message);
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
        assertTrue(message.contains("missing keys [transformer.wpe.weight"), message);
    }

    private void rewriteConfig(String from, String to) throws IOException {
        Path config = dir.resolve("config.json");
        String json = Files.readString(config).replaceAll("\\s*\\n\\s*", " ").replace(" : ", ": ");
        assertTrue(json.contains(from), json);
        Files.writeString(config, json.replace(from, to));
    }
}
