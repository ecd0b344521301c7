package dev.jtune.app;

import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.jtune.core.MemoryScope;
import dev.jtune.core.Tensor;
import dev.jtune.core.autograd.GradMode;
import dev.jtune.nn.AutoModelForSequenceClassification;
import dev.jtune.nn.SequenceClassificationModel;
import dev.jtune.nn.SequenceClassifier;
import dev.jtune.nn.peft.PeftModelForSequenceClassification;
import dev.jtune.tokenizer.AutoTokenizer;
import dev.jtune.tokenizer.Tokenizer;
import dev.jtune.train.data.Dataset;
import dev.jtune.train.data.Datasets;
import dev.jtune.train.data.Sequences;
import java.io.BufferedWriter;
import java.io.IOException;
import java.io.OutputStreamWriter;
import java.io.Writer;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;

/**
 * {@code ./jtune score --model DIR [--adapter DIR] --data FILE}: the reward of each row under a reward model (with a
 * LoRA adapter from {@code reward-train --lora-r} on it), one JSON line per row (the row's fields and its
 * {@code reward}). Text rows get the EOS token appended when it is missing, as the reward
 * trainer's data had, so a row is scored as it was trained.
 */
@Command(name = "score", mixinStandardHelpOptions = true, sortOptions = false,
        description = "Score JSONL/CSV rows (text or input_ids) with a reward model: one JSON line per row with its reward.")
final class ScoreCommand implements Callable<Integer> {

    private static final ObjectMapper JSON = new ObjectMapper();

    @Option(names = "--model", description = "Reward model folder (a *ForSequenceClassification checkpoint); with --adapter "
            + "its base (default: the adapter's base_model_name_or_path).")
    Path model;

    @Option(names = "--adapter", paramLabel = "DIR",
            description = "A reward model's LoRA adapter folder (PEFT's, task_type SEQ_CLS: reward-train --lora-r's output).")
    Path adapter;

    @Option(names = "--data", required = true, description = "JSONL or CSV rows with a text field or input_ids.")
    Path data;

    @Option(names = "--text-field", defaultValue = "text", description = "Field holding the text (default: ${DEFAULT-VALUE}).")
    String textField;

    @Option(names = "--batch-size", defaultValue = "16", description = "Rows per forward pass (default: ${DEFAULT-VALUE}).")
    int batchSize;

    @Option(names = "--output", description = "Write the JSON lines here instead of standard output.")
    Path output;

    @Override
    public Integer call() throws IOException {
        if (batchSize < 1) throw new IllegalArgumentException("--batch-size must be >= 1, got " + batchSize);
        Path base = AdapterLoading.baseDir(model, adapter), tokenizerDir = AdapterLoading.tokenizerDir(base, adapter);
        SequenceClassificationModel classifier = AutoModelForSequenceClassification.fromPretrained(base, 0, 0,
                AdapterLoading.inferenceDtype(base, adapter));
        SequenceClassifier reward = adapter == null ? classifier
                : PeftModelForSequenceClassification.fromPretrained(classifier, adapter, false);
        if (reward.numLabels() != 1) {
            throw new IllegalArgumentException(base + ": a reward model has one label, this one has " + reward.labels());
        }
        Tokenizer tokenizer = AutoTokenizer.fromPretrained(tokenizerDir);
        TokenizerFit.check(tokenizer, reward, tokenizerDir);
        Dataset rows = Datasets.read(data.toString().endsWith(".csv") ? "csv" : "json", List.of(data));
        List<long[]> ids = new ArrayList<>(rows.size());
        for (int i = 0; i < rows.size(); i++) ids.add(ids(rows.get(i), i, tokenizer, reward.config().vocabSize()));
        int pad = reward.config().padTokenId() >= 0 ? reward.config().padTokenId()
                : tokenizer.padTokenId() != null ? tokenizer.padTokenId() : -1;
        if (pad < 0 && batchSize > 1) {
            throw new IllegalArgumentException(base + ": no pad_token_id in config.json, so rows cannot be batched (use --batch-size 1)");
        }
        reward.setPadTokenId(pad);
        ProgressLine progress = new ProgressLine("score", rows.size(), "rows");
        try (Writer out = output == null ? new BufferedWriter(new OutputStreamWriter(System.out, StandardCharsets.UTF_8))
                : Files.newBufferedWriter(output, StandardCharsets.UTF_8)) {
            for (int start = 0; start < rows.size(); start += batchSize) {
                int end = Math.min(rows.size(), start + batchSize);
                float[] rewards = score(reward, ids.subList(start, end), pad);
                for (int i = start; i < end; i++) {
                    ObjectNode line = JSON.valueToTree(rows.get(i));
                    line.put("reward", rewards[i - start]);
                    out.write(JSON.writeValueAsString(line));
                    out.write('\n');
                }
                progress.update(end);
            }
        }
        progress.finish();
        return 0;
    }

    /** The rewards of a batch of rows, right-padded with {@code pad}. */
    @SuppressWarnings("try")  // the no-grad scope is used for its effect
    private static float[] score(SequenceClassifier reward, List<long[]> batch, int pad) {
        int b = batch.size(), t = batch.stream().mapToInt(r -> r.length).max().orElse(1);
        long[] ids = new long[b * t], mask = new long[b * t];
        for (int i = 0; i < b; i++) {
            for (int j = 0; j < t; j++) {
                boolean present = j < batch.get(i).length;
                ids[i * t + j] = present ? batch.get(i)[j] : pad;
                mask[i * t + j] = present ? 1 : 0;
            }
        }
        try (var noGrad = GradMode.noGrad(); MemoryScope scope = MemoryScope.open()) {
            return reward.logits(Tensor.ofLongs(ids, b, t), Tensor.ofLongs(mask, b, t)).toFloatArray();
        }
    }

    private long[] ids(Map<String, Object> row, int i, Tokenizer tokenizer, int vocab) {
        long[] ids;
        if (row.get("input_ids") != null) {
            ids = Sequences.toLongs(row.get("input_ids"), "input_ids", i);
        } else if (row.get(textField) instanceof String text) {
            String eos = tokenizer.eosToken();
            int[] encoded = tokenizer.encode(eos != null && !text.endsWith(eos) ? text + eos : text);
            ids = new long[encoded.length];
            for (int k = 0; k < ids.length; k++) ids[k] = encoded[k];
        } else {
            throw new IllegalArgumentException(data + ", row " + i + ": no '" + textField + "' text and no input_ids");
        }
        if (ids.length == 0) throw new IllegalArgumentException(data + ", row " + i + ": empty sequence");
        for (long id : ids) {
            if (id < 0 || id >= vocab) {
                throw new IllegalArgumentException(data + ", row " + i + ": token id " + id + " outside the model's vocabulary of " + vocab);
            }
        }
        return ids;
    }
}
