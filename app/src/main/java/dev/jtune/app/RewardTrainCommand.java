package dev.jtune.app;

import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.jtune.core.DType;
import dev.jtune.nn.AutoModelForSequenceClassification;
import dev.jtune.nn.Checkpoints;
import dev.jtune.nn.SequenceClassificationModel;
import dev.jtune.nn.SequenceClassifier;
import dev.jtune.nn.peft.AdapterModel;
import dev.jtune.nn.peft.LoraConfig;
import dev.jtune.nn.peft.PeftModelForSequenceClassification;
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
import java.util.Locale;
import java.util.Map;
import java.util.concurrent.Callable;
import picocli.CommandLine.ArgGroup;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Option;

/**
 * {@code ./jtune reward-train --model DIR --data FILE --output-dir DIR [--lora-r N | --adapter DIR]}: trains a reward
 * model on preference pairs with TRL's {@code RewardTrainer} semantics and saves it as a
 * {@code *ForSequenceClassification} checkpoint, or with LoRA as PEFT's {@code SEQ_CLS} adapter folder (the adapters
 * on the body, the {@code score} head as a module to save).
 */
@Command(name = "reward-train", mixinStandardHelpOptions = true, sortOptions = false, abbreviateSynopsis = true,
        optionListHeading = "%nModel, data and reward modelling:%n",
        description = {"Train a reward model on preference pairs (TRL's RewardTrainer): the model learns to score each "
                + "chosen completion above its rejected one.",
            "Data: JSONL/CSV rows with chosen and rejected texts (optional prompt, margin), or chosen_ids and "
                + "rejected_ids. A causal LM gets a new score head; TRL's defaults: learning rate 1e-4, logging every 10 steps.",
            "With --lora-r (or --adapter) the body trains LoRA adapters and the score head trains in full; the output is "
                + "PEFT's adapter folder (task_type SEQ_CLS), which score --adapter reads."})
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

    @ArgGroup(validate = false, heading = "%nLoRA (PEFT adapters on a frozen body, the score head trained in full):%n",
            order = 3)
    LoraOptions lora = new LoraOptions();

    @Mixin
    TrainingArgumentsOptions training;

    @Override
    public Integer call() throws IOException {
        ObjectNode trlDefaults = new ObjectMapper().createObjectNode().put("learning_rate", 1e-4).put("logging_steps", 10);
        TrainingArguments args = training.toArguments(trlDefaults);
        Path out = Path.of(args.outputDir());
        Files.createDirectories(out);
        Path tokenizerDir = AdapterLoading.tokenizerDir(model, lora.adapter);
        Tokenizer tokenizer = AutoTokenizer.fromPretrained(tokenizerDir);
        SequenceClassificationModel classifier = AutoModelForSequenceClassification.fromPretrained(model, 1, args.seed(),
                lora.enabled() ? Checkpoints.loadDtypeForFrozenBase(model, lora.baseDtype()) : DType.F32);
        TokenizerFit.check(tokenizer, classifier, tokenizerDir);
        SequenceClassifier reward = withLora(classifier, args.seed());
        RewardConfig config = new RewardConfig(args, maxLength > 0 ? maxLength : null, centerRewardsCoefficient,
                !preference.keepDropout, null, preference.padToMultipleOf);
        Dataset train = TrainingOutputs.read(data), eval = evalData == null ? null : TrainingOutputs.read(evalData);
        RewardTrainer trainer;
        try {
            trainer = new RewardTrainer(reward, config, tokenizer, train, eval, List.of());
        } catch (IllegalArgumentException e) {
            throw new IllegalArgumentException(data + (evalData == null ? "" : " / " + evalData) + ": " + e.getMessage(), e);
        }
        FineTuning.log("reward model %s (%s, %s, pad id %d); %s", model, classifier.architecture(),
                reward instanceof AdapterModel peft ? "LoRA r " + peft.peftConfig().r() + " on "
                        + peft.loraLayers().size() + " layers: " + peft.trainableParametersSummary()
                        : String.format(Locale.ROOT, "%.2fM parameters", reward.numParameters() / 1e6),
                reward.config().padTokenId(), trainer.trainReport());
        trainer.train();
        Map<String, Object> metrics = new LinkedHashMap<>();
        if (eval != null) metrics.putAll(trainer.evaluate());
        trainer.saveModel();
        if (!Distributed.isMainProcess()) return 0;  // under mpirun, rank 0 writes the files
        TrainingOutputs.write(trainer.trainer(), tokenizer, out, metrics,
                reward instanceof AdapterModel ? "reward model's adapter (PEFT layout)" : "reward model",
                "reward model loss");
        return 0;
    }

    /**
     * The classifier as the LoRA flags say: with {@code --adapter} that adapter folder loaded onto it (trainable),
     * with {@code --lora-r} new adapters (A drawn from {@code seed}), else the classifier itself, trained in full.
     */
    private SequenceClassifier withLora(SequenceClassificationModel classifier, long seed) throws IOException {
        LoraConfig config = lora.config(model);
        PeftModelForSequenceClassification peft;
        if (lora.adapter != null) {
            peft = PeftModelForSequenceClassification.fromPretrained(classifier, lora.adapter, true);
        } else if (config != null) {
            peft = PeftModelForSequenceClassification.getPeftModel(classifier, config, seed);
        } else {
            return classifier;
        }
        return lora.baseDtype() == DType.F32 ? peft : peft.frozenBaseTo(lora.baseDtype());
    }
}
