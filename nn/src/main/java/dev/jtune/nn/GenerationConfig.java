package dev.jtune.nn;

/**
 * Decoding settings under transformers' {@code GenerationConfig} names: greedy when {@code doSample} is false,
 * otherwise sampling with temperature, top-k and top-p (nucleus) from a seeded generator.
 *
 * @param maxNewTokens      how many tokens to add at most
 * @param doSample          sample instead of taking the argmax
 * @param temperature       logits are divided by it before sampling (> 0)
 * @param topK              keep only the k most likely tokens (0: all)
 * @param topP              keep the smallest set whose probability reaches p (1: all)
 * @param repetitionPenalty CTRL's penalty for tokens already present (1: none)
 * @param eosTokenId        stop a sequence after this token (-1: never)
 * @param padTokenId        written after a sequence has stopped (-1: use eos)
 * @param seed              seeds the sampling generator
 * @param useCache          feed one token per step with a KV cache (false: recompute the whole sequence each step)
 */
public record GenerationConfig(int maxNewTokens, boolean doSample, double temperature, int topK, double topP,
                               double repetitionPenalty, int eosTokenId, int padTokenId, long seed, boolean useCache) {

    public GenerationConfig {
        if (maxNewTokens < 0) throw new IllegalArgumentException("max_new_tokens must be >= 0, got " + maxNewTokens);
        if (!(temperature > 0)) throw new IllegalArgumentException("temperature must be > 0, got " + temperature);
        if (topK < 0) throw new IllegalArgumentException("top_k must be >= 0, got " + topK);
        if (!(topP > 0 && topP <= 1)) throw new IllegalArgumentException("top_p must be in (0, 1], got " + topP);
        if (!(repetitionPenalty > 0)) throw new IllegalArgumentException("repetition_penalty must be > 0, got " + repetitionPenalty);
    }

    /** Greedy decoding of {@code maxNewTokens} tokens with a KV cache, stopping at {@code eosTokenId}. */
    public static GenerationConfig greedy(int maxNewTokens, int eosTokenId) {
        return new GenerationConfig(maxNewTokens, false, 1, 0, 1, 1, eosTokenId, -1, 0, true);
    }

    /** Sampling with transformers' defaults of temperature 1, top-k 50 and top-p 1. */
    public static GenerationConfig sampling(int maxNewTokens, int eosTokenId, long seed) {
        return new GenerationConfig(maxNewTokens, true, 1, 50, 1, 1, eosTokenId, -1, seed, true);
    }

    public GenerationConfig withTemperature(double t) {
        return new GenerationConfig(maxNewTokens, doSample, t, topK, topP, repetitionPenalty, eosTokenId, padTokenId, seed, useCache);
    }

    public GenerationConfig withTopK(int k) {
        return new GenerationConfig(maxNewTokens, doSample, temperature, k, topP, repetitionPenalty, eosTokenId, padTokenId, seed, useCache);
    }

    public GenerationConfig withTopP(double p) {
        return new GenerationConfig(maxNewTokens, doSample, temperature, topK, p, repetitionPenalty, eosTokenId, padTokenId, seed, useCache);
    }

    public GenerationConfig withRepetitionPenalty(double r) {
        return new GenerationConfig(maxNewTokens, doSample, temperature, topK, topP, r, eosTokenId, padTokenId, seed, useCache);
    }

    public GenerationConfig withCache(boolean use) {
        return new GenerationConfig(maxNewTokens, doSample, temperature, topK, topP, repetitionPenalty, eosTokenId, padTokenId, seed, use);
    }
}
