package dev.jtune.tokenizer;

/**
 * Settings stored beside the pipeline: tokenizer.json's own {@code padding} and {@code truncation} sections (null
 * when absent; the Rust library applies them on every encode, transformers overrides them per call) and
 * tokenizer_config.json's {@code model_max_length}.
 */
public record TokenizerSettings(Padding padding, Truncation truncation, Long modelMaxLength) {

    /** No stored padding or truncation, no model length. */
    public static final TokenizerSettings NONE = new TokenizerSettings(null, null, null);
}
