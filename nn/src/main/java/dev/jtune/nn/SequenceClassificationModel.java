package dev.jtune.nn;

import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.jtune.core.Generator;
import dev.jtune.core.Tensor;
import dev.jtune.nn.Layers.Linear;
import java.io.IOException;
import java.nio.file.Path;
import java.util.List;

/**
 * A causal LM's body with a bias-free {@code score} head {@code [num_labels, C]} read at one position per row, as
 * transformers' {@code GPT2ForSequenceClassification} and {@code LlamaForSequenceClassification}: a reward model is
 * one with a single label. Parameters are named as there ({@code transformer.*} or {@code model.*}, then
 * {@code score.weight}); {@link AutoModelForSequenceClassification} loads it.
 *
 * <p>The score is read at the <b>rightmost position whose id is not {@code pad_token_id}</b> (ids are compared, not the
 * attention mask; position 0 when a row is all padding), transformers' rule. With GPT-2's usual {@code pad = eos},
 * an EOS appended to a row therefore counts as padding and the score is read at the last token before it. Without a
 * pad id the last position is read, and only a batch of one row is accepted, as in transformers.
 */
public final class SequenceClassificationModel extends SequenceClassifier {

    private final PreTrainedCausalLM base;
    private final Linear score;
    private final List<String> labels;

    /**
     * The body of {@code base} (shared, not copied) under its Hugging Face name, and a new {@code score} head drawn like
     * transformers' init: normal(0, {@code initializer_range}).
     *
     * @param config the configuration saved with this model (the base may have been built with its head tied to the
     *               embedding, so that no unused {@code [V, C]} head is allocated)
     * @param labels the label names, index = label id ({@code id2label}); a reward model has one
     */
    public SequenceClassificationModel(PreTrainedCausalLM base, ModelConfig config, List<String> labels, long seed) {
        if (labels.isEmpty()) throw new IllegalArgumentException("a sequence classifier needs at least one label");
        super(config);
        this.base = base;
        this.labels = List.copyOf(labels);
        Module body = base.namedModules().get(base.bodyName());
        if (body == null) throw new IllegalArgumentException("no body '" + base.bodyName() + "' in " + base.getClass().getSimpleName());
        registerModule(base.bodyName(), body);
        int hidden = base.inputEmbeddings().shape()[1];
        score = registerModule("score", new Linear(hidden, labels.size(), false, new Generator(seed),
                config.initializerRange()));
    }

    /** A classifier over {@code base}'s body and config, with a new score head (TRL's reward model from a causal LM). */
    public SequenceClassificationModel(PreTrainedCausalLM base, List<String> labels, long seed) {
        this(base, base.config(), labels, seed);
    }

    @Override
    public List<String> labels() {
        return labels;
    }

    @Override
    public Generator dropoutGenerator() {
        return base.dropoutGenerator();
    }

    /** transformers' class name: {@code GPT2ForSequenceClassification}, {@code LlamaForSequenceClassification}. */
    public String architecture() {
        String type = config().modelType();
        return switch (type) {
            case "gpt2" -> "GPT2ForSequenceClassification";
            case "llama" -> "LlamaForSequenceClassification";
            default -> Character.toUpperCase(type.charAt(0)) + type.substring(1) + "ForSequenceClassification";
        };
    }

    @Override
    public Tensor logits(Tensor inputIds, Tensor attentionMask) {
        int b = inputIds.size(0), t = inputIds.size(1);
        Tensor hidden = base.hiddenStates(inputIds, attentionMask, null, null);  // (B, T, C)
        int[] pooled = pooledIndex(inputIds, config().padTokenId());
        long[] rows = new long[b];
        for (int i = 0; i < b; i++) rows[i] = (long) i * t + pooled[i];
        Tensor last = hidden.reshape(b * t, hidden.size(2)).indexSelect(0, Tensor.ofLongs(rows, b));  // (B, C)
        return score.forward(last);                                                                    // (B, L)
    }

    /**
     * The position each row is read at: the rightmost id that is not {@code padTokenId} (0 for a row of padding only),
     * or the last position when there is no pad id ({@code padTokenId < 0}), which needs a single row.
     *
     * @param inputIds [B, T]
     */
    public static int[] pooledIndex(Tensor inputIds, int padTokenId) {
        int b = inputIds.size(0), t = inputIds.size(1);
        if (padTokenId < 0 && b != 1) {
            throw new IllegalArgumentException("Cannot handle batch sizes > 1 if no padding token is defined "
                    + "(set pad_token_id: a batch of " + b + " rows needs it to find each row's last token)");
        }
        long[] ids = inputIds.contiguous().toLongArray();
        int[] out = new int[b];
        for (int i = 0; i < b; i++) {
            int last = padTokenId < 0 ? t - 1 : 0;
            for (int p = 0; p < t && padTokenId >= 0; p++) if (ids[i * t + p] != padTokenId) last = p;
            out[i] = last;
        }
        return out;
    }

    /**
     * Writes {@code config.json} (the body's config with {@code architectures}, {@code id2label}, {@code label2id} and
     * {@code pad_token_id}, as transformers writes it) and {@code model.safetensors} (no LM head) into {@code dir}.
     */
    @Override
    public void savePretrained(Path dir) throws IOException {
        ObjectNode json = config().toJson();
        json.putArray("architectures").add(architecture());
        ObjectNode id2label = json.putObject("id2label"), label2id = json.putObject("label2id");
        for (int i = 0; i < labels.size(); i++) {
            id2label.put(Integer.toString(i), labels.get(i));
            label2id.put(labels.get(i), i);
        }
        json.remove("num_labels");
        Checkpoints.save(namedParameters(), json, dir);
    }

    /** The body's checkpoint naming variants (GPT-2's bare names), as the causal LM reads them. */
    java.util.Map<String, Tensor> checkpointToModelNames(java.util.Map<String, Tensor> state) {
        return base.checkpointToModelNames(state);
    }
}
