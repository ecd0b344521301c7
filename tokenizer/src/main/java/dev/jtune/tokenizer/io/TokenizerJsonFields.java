package dev.jtune.tokenizer.io;

/**
 * The field names of tokenizer.json (and tokenizer_config.json) that both the reader and the writer use, spelled once,
 * so that what jtune writes is what it reads.
 */
final class TokenizerJsonFields {

    static final String ADD_PREFIX_SPACE = "add_prefix_space";
    static final String ADDED_TOKENS = "added_tokens";
    static final String ADDED_TOKENS_DECODER = "added_tokens_decoder";
    static final String BEHAVIOR = "behavior";
    static final String BYTE_FALLBACK = "byte_fallback";
    static final String CONTENT = "content";
    static final String CONTINUING_SUBWORD_PREFIX = "continuing_subword_prefix";
    static final String DECODER = "decoder";
    static final String DECODERS = "decoders";
    static final String DIRECTION = "direction";
    static final String DROPOUT = "dropout";
    static final String END_OF_WORD_SUFFIX = "end_of_word_suffix";
    static final String FUSE_UNK = "fuse_unk";
    static final String ID = "id";
    static final String IDS = "ids";
    static final String IGNORE_MERGES = "ignore_merges";
    static final String INDIVIDUAL_DIGITS = "individual_digits";
    static final String INVERT = "invert";
    static final String LSTRIP = "lstrip";
    static final String MAX_LENGTH = "max_length";
    static final String MERGES = "merges";
    static final String MODEL = "model";
    static final String MODEL_MAX_LENGTH = "model_max_length";
    static final String NORMALIZED = "normalized";
    static final String NORMALIZER = "normalizer";
    static final String NORMALIZERS = "normalizers";
    static final String PAD_TO_MULTIPLE_OF = "pad_to_multiple_of";
    static final String PAD_TOKEN = "pad_token";
    static final String PADDING = "padding";
    static final String PAIR = "pair";
    static final String PATTERN = "pattern";
    static final String POST_PROCESSOR = "post_processor";
    static final String PRE_TOKENIZER = "pre_tokenizer";
    static final String PREPEND = "prepend";
    static final String PREPEND_SCHEME = "prepend_scheme";
    static final String PRETOKENIZERS = "pretokenizers";
    static final String PROCESSORS = "processors";
    static final String REPLACEMENT = "replacement";
    static final String RSTRIP = "rstrip";
    static final String SINGLE = "single";
    static final String SINGLE_WORD = "single_word";
    static final String SPECIAL = "special";
    static final String SPECIAL_TOKENS = "special_tokens";
    static final String SPLIT = "split";
    static final String START = "start";
    static final String STOP = "stop";
    static final String STRATEGY = "strategy";
    static final String STRIP_LEFT = "strip_left";
    static final String STRIP_RIGHT = "strip_right";
    static final String TOKENS = "tokens";
    static final String TRIM_OFFSETS = "trim_offsets";
    static final String TRUNCATION = "truncation";
    static final String TYPE = "type";
    static final String TYPE_ID = "type_id";
    static final String UNK_TOKEN = "unk_token";
    static final String USE_REGEX = "use_regex";
    static final String VOCAB = "vocab";

    private TokenizerJsonFields() {}
}
