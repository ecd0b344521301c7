package dev.jtune.app;

import dev.jtune.nn.PreTrainedModel;
import dev.jtune.tokenizer.AddedToken;
import dev.jtune.tokenizer.Tokenizer;
import java.nio.file.Path;

/** The check that a model folder's tokenizer and model belong together, before any text reaches the model. */
final class TokenizerFit {

    private TokenizerFit() {}

    /** Fails with one line unless every id the tokenizer can produce has a row in the model's embedding. */
    static void check(Tokenizer tokenizer, PreTrainedModel model, Path modelDir) {
        int maxId = -1;
        for (int id : tokenizer.model().vocab().values()) maxId = Math.max(maxId, id);
        for (AddedToken token : tokenizer.addedTokens()) maxId = Math.max(maxId, token.id());
        int vocabSize = model.config().vocabSize();
        if (maxId >= vocabSize) {
            throw new IllegalArgumentException(modelDir + ": the tokenizer (tokenizer.json or vocab.json) has token id "
                    + maxId + ", out of range for the model's vocabulary of " + vocabSize + " (config.json "
                    + "vocab_size): the tokenizer and the model do not belong together");
        }
    }
}
