package dev.jtune.bench.model;

import dev.jtune.nn.llama.LlamaConfig;

/** The Llama-family shapes the benches build from a configuration (random weights). */
final class LlamaPresets {

    static final String NAMES = "qwen2.5-0.5b|llama-16m";

    private LlamaPresets() {}

    static LlamaConfig of(String name) {
        return switch (name) {
            // Qwen/Qwen2.5-0.5B's config.json: 494M parameters, tied embeddings, grouped-query attention (14 / 2 heads)
            case "qwen2.5-0.5b" -> LlamaConfig.builder("qwen2").hiddenSize(896).intermediateSize(4864).numHiddenLayers(24)
                    .numAttentionHeads(14).numKeyValueHeads(2).maxPositionEmbeddings(32768).rmsNormEps(1e-6)
                    .ropeTheta(1_000_000).tieWordEmbeddings(true).bosTokenId(151643).eosTokenId(151643).build();
            case "llama-16m" -> LlamaConfig.preset("llama-16m");
            default -> throw new IllegalArgumentException("--config must be " + NAMES + ", got " + name);
        };
    }
}
