package dev.jtune.train.reward;

import dev.jtune.nn.Layers;
import dev.jtune.nn.SequenceClassificationModel;
import dev.jtune.nn.SequenceClassifier;
import dev.jtune.nn.peft.LoraConfig;
import dev.jtune.nn.peft.PeftModelForSequenceClassification;
import dev.jtune.tokenizer.Tokenizer;
import dev.jtune.train.TrainOutput;
import dev.jtune.train.Trainer;
import dev.jtune.train.TrainerCallback;
import dev.jtune.train.data.Dataset;
import java.io.IOException;
import java.util.List;
import java.util.Map;

/**
 * TRL's {@code RewardTrainer}: trains a {@link SequenceClassifier} with one label to score the chosen
 * completion of each preference pair above the rejected one: a {@code SequenceClassificationModel} in full, or one
 * with LoRA adapters ({@link PeftModelForSequenceClassification}, made from TRL's {@code peft_config} or loaded),
 * whose checkpoints and saved model are then the adapter folder. It prepares the data as TRL does
 * ({@link PreferenceData}: text or token ids, EOS appended, pairs longer than {@code max_length} dropped), sets the
 * model's {@code pad_token_id} to the tokenizer's pad (or EOS) token, collates pairs as
 * {@code [chosen..., rejected...]}, and runs the {@link Trainer} with the {@link RewardObjective}.
 */
public final class RewardTrainer {

    private final Trainer trainer;
    private final SequenceClassifier model;
    private final PreferenceData.Report trainReport;

    /**
     * TRL's {@code RewardTrainer(model, args, ..., peft_config=...)}: injects LoRA adapters as {@code peftConfig} says
     * (A drawn from the arguments' seed) into {@code model}'s body, its {@code score} head then trained in full as a
     * module to save, and trains the result ({@link #model()}).
     */
    public RewardTrainer(SequenceClassificationModel model, LoraConfig peftConfig, RewardConfig config,
                         Tokenizer tokenizer, Dataset trainDataset, Dataset evalDataset, List<TrainerCallback> callbacks) {
        this(PeftModelForSequenceClassification.getPeftModel(model, peftConfig, config.args().seed()), config, tokenizer,
                trainDataset, evalDataset, callbacks);
    }

    /**
     * @param model       a reward model, with adapters or without
     * @param tokenizer   turns text columns into ids and gives the pad and EOS tokens; may be null only when the data
     *                    are token ids and the model's config has a {@code pad_token_id}
     * @param evalDataset may be null
     */
    public RewardTrainer(SequenceClassifier model, RewardConfig config, Tokenizer tokenizer, Dataset trainDataset,
                         Dataset evalDataset, List<TrainerCallback> callbacks) {
        if (model.numLabels() != 1) {
            throw new IllegalArgumentException("RewardTrainer: a reward model has one label, this one has " + model.numLabels());
        }
        this.model = model;
        int pad = padTokenId(model, tokenizer);
        model.setPadTokenId(pad);
        if (config.disableDropout()) Layers.disableDropout(model);
        PreferenceData data = new PreferenceData(tokenizer, config.eosToken(), config.maxLength(),
                model.config().vocabSize());
        PreferenceData.Prepared train = trainDataset == null ? null : data.prepare(trainDataset, "train");
        PreferenceData.Prepared eval = evalDataset == null ? null : data.prepare(evalDataset, "eval");
        this.trainReport = train == null ? null : train.report();
        DataCollatorForPreference collator = new DataCollatorForPreference(pad,
                config.padToMultipleOf() == null ? 1 : config.padToMultipleOf());
        RewardObjective objective = new RewardObjective(model,
                config.centerRewardsCoefficient() == null ? 0 : config.centerRewardsCoefficient());
        trainer = new Trainer(objective, config.args(), collator, train == null ? null : train.dataset(),
                eval == null ? null : eval.dataset(), callbacks);
    }

    /**
     * TRL's choice: the tokenizer's pad token, else its EOS token (GPT-2 has no pad: its EOS then also marks padding,
     * so an appended EOS counts as padding and the reward is read at the token before it); without a tokenizer,
     * the model's own {@code pad_token_id}.
     */
    private static int padTokenId(SequenceClassifier model, Tokenizer tokenizer) {
        if (tokenizer != null) {
            Integer pad = tokenizer.padTokenId() != null ? tokenizer.padTokenId() : tokenizer.eosTokenId();
            if (pad == null) throw new IllegalArgumentException("RewardTrainer: the tokenizer has neither a pad nor an EOS token");
            return pad;
        }
        if (model.config().padTokenId() < 0) {
            throw new IllegalArgumentException("RewardTrainer: no tokenizer and no pad_token_id in the model's config");
        }
        return model.config().padTokenId();
    }

    public Trainer trainer() {
        return trainer;
    }

    /** How the training data were prepared: pairs kept, pairs dropped for length. */
    public PreferenceData.Report trainReport() {
        return trainReport;
    }

    public TrainOutput train() throws IOException {
        return trainer.train();
    }

    public Map<String, Double> evaluate() {
        return trainer.evaluate();
    }

    /**
     * Writes the reward model in transformers' layout (with adapters: the adapter folder, PEFT's layout) and
     * {@code training_args.json} into the output directory.
     */
    public void saveModel() throws IOException {
        trainer.saveModel();
    }

    public SequenceClassifier model() {
        return model;
    }
}
