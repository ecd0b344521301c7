package dev.jtune.nn;

import com.fasterxml.jackson.databind.node.ObjectNode;

/** What every model configuration offers, under Hugging Face's {@code config.json} names. */
public interface ModelConfig {

    /** {@code model_type}, e.g. "gpt2" or "llama". */
    String modelType();

    /** {@code vocab_size}. */
    int vocabSize();

    /** The longest sequence the model accepts ({@code n_positions} / {@code max_position_embeddings}). */
    int maxPositions();

    /** {@code eos_token_id}, or -1. */
    int eosTokenId();

    /** {@code bos_token_id}, or -1. */
    int bosTokenId();

    /** {@code pad_token_id}, or -1. */
    int padTokenId();

    /** {@code tie_word_embeddings}: whether the output head shares the input embedding's weight. */
    boolean tieWordEmbeddings();

    /** {@code initializer_range}: the standard deviation of transformers' normal weight init. */
    double initializerRange();

    /** How many parameters the model has (a tied head counted once), known before the model is built. */
    long numParameters();

    /** The same configuration with another vocabulary size. */
    ModelConfig withVocabSize(int vocabSize);

    /** The same configuration with another {@code pad_token_id} (-1 for none). */
    ModelConfig withPadTokenId(int padTokenId);

    /** The {@code config.json} content: the file's original fields with this record's values written over them. */
    ObjectNode toJson();
}
