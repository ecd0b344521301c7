package dev.jtune.app;

import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.jtune.nn.AutoModelForSequenceClassification;
import dev.jtune.nn.SequenceClassificationModel;
import dev.jtune.tokenizer.AutoTokenizer;
import dev.jtune.tokenizer.Tokenizer;
import dev.jtune.train.TrainingArguments;
import dev.jtune.train.data.Dataset;
import dev.jtune.train.distributed.Distributed;
import dev.jtune.train.reward.RewardConfig;
import dev.jtune.train.reward.RewardTrainer;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Option;

/**
 * {@code ./jtune reward-train --model DIR --data FILE --output-dir DIR}: trains a reward model on preference pairs
 * with TRL's {@code RewardTrainer} semantics and saves it as a {@code *ForSequenceClassification} checkpoint.
 */
@Command(name = "reward-train", mixinStandardHelpOptions = true, sortOptions = false, abbreviateSynopsis = true,
        optionListHeading = "%nModel, data and reward modelling:%n",
        description = {"Train a reward model on preference pairs (TRL's RewardTrainer): the model learns to score each "
                + "chosen completion above its rejected one.",
            "Data: JSONL/CSV rows with chosen and rejected texts (optional prompt, margin), or chosen_ids and "
                + "rejected_ids. A causal LM gets a new score head; TRL's defaults: learning rate 1e-4, logging every 10 steps."})
final class RewardTrainCommand implements Callable<Integer> {

    @Option(names = "--model", required = true, description = "A causal LM or reward model folder (config.json, weights, tokenizer).")
    Path model;

    @Option(names = "--data", required = true, description = "Training pairs (JSONL or CSV).")
    Path data;

    @Option(names = "--eval-data", description = "Evaluation pairs: eval_loss, eval_accuracy, eval_margin...")
    Path evalData;

    @Option(names = "--max-length", defaultValue = "1024",
            description = "Drop pairs with a side longer than this many tokens (default: ${DEFAULT-VALUE}); 0 keeps all.")
    int maxLength;

    @Option(names = "--center-rewards-coefficient", description = "Add coef * mean((r_chosen + r_rejected)^2) (TRL suggests 0.01).")
    Double centerRewardsCoefficient;

    @Mixin
    PreferenceOptions preference;

    @Mixin
    TrainingArgumentsOptions training;

    @Override
    public Integer call() throws IOException {
        ObjectNode trlDefaults = new ObjectMapper().createObjectNode().put("learning_rate", 1e-4).put("logging_steps", 10);
        TrainingArguments args = training.toArguments(trlDefaults);
        Path out = Path.of(args.outputDir());
        Files.createDirectories(out);
        Tokenizer tokenizer = AutoTokenizer.fromPretrained(model);
        SequenceClassificationModel reward = AutoModelForSequenceClassification.fromPretrained(model, 1, args.seed());
        TokenizerFit.check(tokenizer, reward, model);
        RewardConfig config = new RewardConfig(args, maxLength > 0 ? maxLength : null, centerRewardsCoefficient,
                !preference.keepDropout, null, preference.padToMultipleOf);
        Dataset train = TrainingOutputs.read(data), eval = evalData == null ? null : TrainingOutputs.read(evalData);
        RewardTrainer trainer;
        try {
            trainer = new RewardTrainer(reward, config, tokenizer, train, eval, List.of());
        } catch (IllegalArgumentException e) {
            throw new IllegalArgumentException(data + (evalData == null ? "" : " / " + evalData) + ": " + e.getMessage(), e);
        }
        FineTuning.log("reward model %s (%s, %.2fM parameters, pad id %d); %s", model, reward.architecture(),
                reward.numParameters() / 1e6, reward.config().padTokenId(), trainer.trainReport());
        trainer.train();
        Map<String, Object> metrics = new LinkedHashMap<>();
        if (eval != null) metrics.putAll(trainer.evaluate());
        trainer.saveModel();
        if (!Distributed.isMainProcess()) return 0;  // under mpirun, rank 0 writes the files
        TrainingOutputs.write(trainer.trainer(), tokenizer, out, metrics, "reward model", "reward model loss");
        return 0;
    }
}
