package dev.jtune.app;

import dev.jtune.nn.PreTrainedCausalLM;
import dev.jtune.tokenizer.Tokenizer;
import dev.jtune.train.Evaluation;
import dev.jtune.train.LabelWordAccuracy;
import dev.jtune.train.data.DataCollatorForLanguageModeling;
import dev.jtune.train.data.DataLoader;
import dev.jtune.train.data.Dataset;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;

/**
 * Label-word classification of dataset rows (the reference run's rule): the prompt is the text template cut just before
 * the label placeholder, trailing space removed; the prediction is the label whose first token (with a leading space)
 * has the highest logit after the prompt. The rows go through the evaluation loop with {@link LabelWordAccuracy}.
 *
 * @param rows          one {@link LabelWordAccuracy#row} per dataset row
 * @param labelTokenIds the first token of each label word, in class order
 */
record LabelClassification(Dataset rows, int[] labelTokenIds) {

    static LabelClassification of(Tokenizer tokenizer, String template, String labelColumn, Dataset data, int maxLength) {
        String placeholder = "{" + labelColumn + "}";
        int cut = template.indexOf(placeholder);
        if (cut < 0) {
            throw new IllegalArgumentException("--text-template must contain " + placeholder + " to classify by "
                    + "--label-column " + labelColumn);
        }
        String promptTemplate = template.substring(0, cut).stripTrailing();
        List<String> labelWords = data.column(labelColumn).stream().map(Object::toString).distinct().sorted().toList();
        int[] tokenIds = labelWords.stream().mapToInt(w -> tokenizer.encode(" " + w, false)[0]).toArray();
        List<Map<String, Object>> rows = new ArrayList<>();
        for (int i = 0; i < data.size(); i++) {
            int[] prompt = tokenizer.encode(Templates.fill(promptTemplate, data.get(i)), false);
            int label = labelWords.indexOf(data.get(i).get(labelColumn).toString());
            rows.add(LabelWordAccuracy.row(prompt, tokenIds[label], maxLength));
        }
        return new LabelClassification(Dataset.fromRows(rows), tokenIds);
    }

    /** {@code accuracy} and {@code macro_recall} of {@code model} on the rows. */
    Map<String, Double> evaluate(PreTrainedCausalLM model, int batchSize) {
        LabelWordAccuracy metric = new LabelWordAccuracy(labelTokenIds);
        ProgressLine progress = new ProgressLine("classify", rows.size(), "rows");
        DataLoader loader = DataLoader.sequential(rows, batchSize, DataCollatorForLanguageModeling.forModel(model));
        Evaluation.run(model, loader, metric, false, progress::update);
        progress.finish();
        return metric.compute();
    }
}
