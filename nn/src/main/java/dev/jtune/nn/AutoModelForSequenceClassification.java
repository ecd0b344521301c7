package dev.jtune.nn;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.jtune.core.DType;
import dev.jtune.core.Tensor;
import java.io.IOException;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * Loads a {@link SequenceClassificationModel} from a Hugging Face directory, as transformers'
 * {@code AutoModelForSequenceClassification.from_pretrained}: a saved classifier (body + {@code score.weight}), or a
 * causal LM whose head is dropped and whose new {@code score} head is drawn from the seed (TRL's reward model starts
 * so), which is said on stderr as transformers says it.
 */
public final class AutoModelForSequenceClassification {

    private static final String SCORE = "score.weight";

    private AutoModelForSequenceClassification() {}

    /** A classifier with the labels of {@code config.json}'s {@code id2label} (one when it has none). */
    public static SequenceClassificationModel fromPretrained(Path dir) throws IOException {
        return fromPretrained(dir, 0, 0);
    }

    /**
     * As {@code from_pretrained(dir, num_labels=numLabels)}.
     *
     * @param numLabels the width of the score head; 0 takes {@code id2label}'s (or 1)
     * @param seed      draws the score head when the checkpoint has none
     */
    public static SequenceClassificationModel fromPretrained(Path dir, int numLabels, long seed) throws IOException {
        return fromPretrained(dir, numLabels, seed, DType.F32);
    }

    /**
     * As {@link #fromPretrained(Path, int, long)}, the body's weights held in {@code dtype} (F32, or BF16/F16 for a
     * frozen base; see {@link AutoModelForCausalLM#fromPretrained(Path, DType)}); the score head stays F32.
     */
    public static SequenceClassificationModel fromPretrained(Path dir, int numLabels, long seed, DType dtype)
            throws IOException {
        ConfigJson json = ConfigJson.read(dir);
        ModelConfig config = AutoModelForCausalLM.config(json);
        List<String> labels = labels(json, numLabels);
        Path weights = Checkpoints.weightsFile(dir);
        CheckpointFit.checkSize(config, json, Checkpoints.storedValues(dir), weights);

        // The body is built with its head tied to the embedding: the classifier never uses the head.
        ObjectNode tied = json.node().deepCopy().put("tie_word_embeddings", true);
        ModelConfig bodyConfig = AutoModelForCausalLM.config(new ConfigJson(tied, json.source()));
        PreTrainedCausalLM base = Layers.withParameterDtype(dtype, () -> AutoModelForCausalLM.emptyModel(bodyConfig));
        SequenceClassificationModel model = new SequenceClassificationModel(base, config, labels, seed);
        // As for a causal LM: the body's zeros go back to the pool for the checkpoint's tensors (the score head keeps
        // its draw, for a checkpoint without one).
        base.parameters().forEach(p -> p.value().storage().release("replaced by the checkpoint's weights"));
        Map<String, Tensor> stored = Checkpoints.loadTensors(dir, dtype);

        Map<String, Tensor> body = new LinkedHashMap<>(stored);
        Tensor score = body.remove(SCORE);
        body.remove("lm_head.weight");
        Map<String, Tensor> state = new LinkedHashMap<>(model.checkpointToModelNames(body));
        if (score != null) {
            state.put(SCORE, score);
        } else {
            state.put(SCORE, model.stateDict().get(SCORE));
            System.err.println("Some weights of " + model.architecture() + " were not initialized from the model "
                    + "checkpoint at " + dir + " and are newly initialized: [" + SCORE + "]");
        }
        CheckpointFit.check(model, json, state, weights);
        model.loadStateDict(state, true);
        model.eval();
        return model;
    }

    /**
     * The label names: {@code LABEL_0..} for a {@code numLabels} that differs from {@code id2label}'s count (as
     * transformers' {@code num_labels} setter makes them), else {@code id2label}'s values in id order; a stored score head
     * of another width is then refused when loaded (transformers would need {@code ignore_mismatched_sizes}).
     */
    private static List<String> labels(ConfigJson json, int numLabels) {
        JsonNode id2label = json.node().get("id2label");
        List<String> labels = new ArrayList<>();
        if (id2label != null && id2label.isObject() && !id2label.isEmpty()
                && (numLabels <= 0 || numLabels == id2label.size())) {
            for (int i = 0; i < id2label.size(); i++) {
                JsonNode name = id2label.get(Integer.toString(i));
                if (name == null || !name.isTextual()) {
                    throw new IllegalArgumentException(json.source() + ": id2label must map \"0\".." + (id2label.size() - 1)
                            + " to names, but has no name for " + i);
                }
                labels.add(name.textValue());
            }
            return labels;
        }
        int n = numLabels > 0 ? numLabels : json.integer("num_labels", 1);
        for (int i = 0; i < n; i++) labels.add("LABEL_" + i);
        return labels;
    }
}
