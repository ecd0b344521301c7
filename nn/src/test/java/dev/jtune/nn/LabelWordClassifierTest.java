package dev.jtune.nn;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;

import dev.jtune.core.Tensor;
import dev.jtune.nn.gpt2.GPT2Config;
import dev.jtune.nn.gpt2.GPT2LMHeadModel;
import java.util.List;
import org.junit.jupiter.api.Test;

/** Label-word classification picks the label token with the highest logit after each prompt, in any batch size. */
class LabelWordClassifierTest {

    @Test
    void predictionIsTheArgmaxOverLabelTokensAtTheLastPromptPosition() {
        GPT2LMHeadModel model = new GPT2LMHeadModel(GPT2Config.builder()
                .vocabSize(29).nPositions(16).nEmbd(8).nLayer(1).nHead(2).build(), 4);
        List<int[]> prompts = List.of(new int[] {1, 2, 3}, new int[] {4}, new int[] {5, 6, 7, 8, 9});
        int[] labelTokens = {10, 11, 12};
        int[] expected = new int[3];
        for (int i = 0; i < 3; i++) {
            int[] p = prompts.get(i);
            long[] ids = java.util.Arrays.stream(p).asLongStream().toArray();
            Tensor last = model.logits(Tensor.ofLongs(ids, 1, p.length), null, null, null).narrow(1, p.length - 1, 1).reshape(-1);
            for (int c = 1; c < 3; c++) if (last.get(labelTokens[c]) > last.get(labelTokens[expected[i]])) expected[i] = c;
        }
        assertArrayEquals(expected, LabelWordClassifier.predict(model, prompts, labelTokens, 2, null));
        assertArrayEquals(expected, LabelWordClassifier.predict(model, prompts, labelTokens, 3, null));
    }

    @Test
    void accuracyAndMacroRecallFollowSklearn() {
        int[] labels = {0, 0, 0, 1, 2, 2}, predictions = {0, 0, 1, 1, 1, 2};
        assertEquals(4.0 / 6, LabelWordClassifier.accuracy(predictions, labels), 1e-12);
        assertEquals((2.0 / 3 + 1 + 0.5) / 3, LabelWordClassifier.macroRecall(predictions, labels, 3), 1e-12);
    }
}
