package dev.jtune.app;

import dev.jtune.nn.LabelWordClassifier;
import dev.jtune.nn.PreTrainedCausalLM;
import dev.jtune.tokenizer.Tokenizer;
import dev.jtune.train.data.Dataset;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;

/**
 * Label-word classification of dataset rows (the reference run's rule): the prompt is the text template cut just before
 * the label placeholder, trailing space removed; the prediction is the label whose first token (with a leading space)
 * has the highest logit after the prompt.
 */
record LabelClassification(List<int[]> prompts, int[] labels, int[] labelTokenIds) {

    static LabelClassification of(Tokenizer tokenizer, String template, String labelColumn, Dataset rows) {
        String placeholder = "{" + labelColumn + "}";
        int cut = template.indexOf(placeholder);
        if (cut < 0) {
            throw new IllegalArgumentException("--text-template must contain " + placeholder + " to classify by "
                    + "--label-column " + labelColumn);
        }
        String promptTemplate = template.substring(0, cut).stripTrailing();
        List<String> labelWords = rows.column(labelColumn).stream().map(Object::toString).distinct().sorted().toList();
        int[] tokenIds = labelWords.stream().mapToInt(w -> tokenizer.encode(" " + w, false)[0]).toArray();
        if (Arrays.stream(tokenIds).distinct().count() != tokenIds.length) {
            throw new IllegalArgumentException("the label words " + labelWords + " do not start with distinct tokens "
                    + Arrays.toString(tokenIds) + ", so their first-token logits cannot tell them apart");
        }
        List<int[]> prompts = new ArrayList<>();
        int[] labels = new int[rows.size()];
        for (int i = 0; i < rows.size(); i++) {
            prompts.add(tokenizer.encode(Templates.fill(promptTemplate, rows.get(i)), false));
            labels[i] = labelWords.indexOf(rows.get(i).get(labelColumn).toString());
        }
        return new LabelClassification(prompts, labels, tokenIds);
    }

    /** {accuracy, macro recall}. */
    double[] accuracy(PreTrainedCausalLM model, int batchSize) {
        ProgressLine progress = new ProgressLine("classify", prompts.size(), "rows");
        int[] predictions = LabelWordClassifier.predict(model, prompts, labelTokenIds, batchSize, progress::update);
        progress.finish();
        return new double[] {LabelWordClassifier.accuracy(predictions, labels),
            LabelWordClassifier.macroRecall(predictions, labels, labelTokenIds.length)};
    }
}
