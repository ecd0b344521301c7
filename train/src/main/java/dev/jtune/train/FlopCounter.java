package dev.jtune.train;

import dev.jtune.nn.Layers;
import dev.jtune.nn.PreTrainedModel;
import java.util.HashSet;
import java.util.Set;

/**
 * transformers' FLOP estimate for a training step, {@code 6 * tokens * parameters}, counting the parameters outside
 * embedding tables (as {@code num_parameters(exclude_embeddings=True)}).
 */
final class FlopCounter {

    private final long nonEmbeddingParameters;

    FlopCounter(PreTrainedModel model) {
        Set<String> embeddings = new HashSet<>();
        model.namedModules().forEach((name, m) -> {
            if (m instanceof Layers.Embedding) embeddings.add(name + ".weight");
        });
        long n = 0;
        for (var e : model.namedParameters().entrySet()) if (!embeddings.contains(e.getKey())) n += e.getValue().numel();
        this.nonEmbeddingParameters = n;
    }

    /** The floating-point operations of forward and backward over {@code tokens} input tokens. */
    double flos(long tokens) {
        return 6.0 * tokens * nonEmbeddingParameters;
    }
}
