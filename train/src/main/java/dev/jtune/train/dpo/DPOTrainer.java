package dev.jtune.train.dpo;

import dev.jtune.core.MemoryScope;
import dev.jtune.nn.Layers;
import dev.jtune.nn.PreTrainedCausalLM;
import dev.jtune.nn.peft.PeftModel;
import dev.jtune.tokenizer.Tokenizer;
import dev.jtune.train.TrainOutput;
import dev.jtune.train.Trainer;
import dev.jtune.train.TrainerCallback;
import dev.jtune.train.data.DataLoader;
import dev.jtune.train.data.Dataset;
import dev.jtune.train.data.ModelInputs;
import java.io.IOException;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * TRL's {@code DPOTrainer}: Direct Preference Optimization of a causal LM (the policy) against a frozen reference on
 * pairs of a preferred and a dispreferred completion of a prompt. It prepares the data as TRL does ({@link DPOData}),
 * collates {@code [prompt+chosen x B, prompt+rejected x B]} with completion masks from lengths, optionally runs the
 * reference once over the data first ({@code precompute_ref_log_probs}), and trains with the {@link DPOObjective}.
 *
 * <p>The reference, as TRL chooses it ({@link #defaultReference}): for a policy with a LoRA adapter the trainer created
 * (a {@code peft_config}), the same model with the adapter disabled; for an existing adapter being trained further, a
 * frozen copy of that adapter (so the first step's loss is ln 2); for full fine-tuning, a frozen copy of the model.
 */
public final class DPOTrainer {

    private final Trainer trainer;
    private final PreTrainedCausalLM policy;
    private final DPOData.Report trainReport;

    /**
     * @param reference where the reference log-probs come from ({@link #defaultReference} for TRL's choice)
     * @param tokenizer turns text columns into ids and gives the pad (or EOS) id; may be null for token-id data when
     *                  the model's config has a pad or EOS id
     */
    public DPOTrainer(PreTrainedCausalLM policy, ReferenceModel reference, DPOConfig config, Tokenizer tokenizer,
                      Dataset trainDataset, Dataset evalDataset, List<TrainerCallback> callbacks) {
        this.policy = policy;
        if (config.disableDropout()) Layers.disableDropout(policy);
        int pad = padTokenId(policy, tokenizer);
        DataCollatorForPreference collator = new DataCollatorForPreference(pad, config.maxLength(), config.truncationMode(),
                config.padToMultipleOf() == null ? 1 : config.padToMultipleOf());
        DPOData data = new DPOData(tokenizer, config.maxLength(), config.truncationMode(), policy.config().vocabSize());
        DPOData.Prepared train = trainDataset == null ? null : data.prepare(trainDataset, "train");
        DPOData.Prepared eval = evalDataset == null ? null : data.prepare(evalDataset, "eval");
        Dataset trainRows = train == null ? null : train.dataset(), evalRows = eval == null ? null : eval.dataset();
        if (config.precomputeRefLogProbs()) {
            if (trainRows != null) trainRows = withReferenceLogps(trainRows, reference, collator, config.args().perDeviceTrainBatchSize());
            if (evalRows != null) evalRows = withReferenceLogps(evalRows, reference, collator, config.args().perDeviceEvalBatchSize());
        }
        this.trainReport = train == null ? null : train.report();
        trainer = new Trainer(new DPOObjective(policy, config.precomputeRefLogProbs() ? null : reference, config),
                config.args(), collator, trainRows, evalRows, callbacks);
    }

    /**
     * TRL's reference: a frozen copy of the adapter {@code policy} carries (an existing adapter trained further:
     * {@code newAdapter} false), the policy with its adapter disabled (an adapter the trainer just created), or for a
     * plain model a frozen copy of it.
     */
    public static ReferenceModel defaultReference(PreTrainedCausalLM policy, boolean newAdapter) {
        if (policy instanceof PeftModel peft) {
            return newAdapter ? ReferenceModel.adapterDisabled(peft) : ReferenceModel.adapterCopy(peft);
        }
        return ReferenceModel.frozen(dev.jtune.nn.AutoModelForCausalLM.copyOf(policy));
    }

    private static int padTokenId(PreTrainedCausalLM policy, Tokenizer tokenizer) {
        Integer pad = tokenizer == null ? null : tokenizer.padTokenId() != null ? tokenizer.padTokenId() : tokenizer.eosTokenId();
        if (pad == null && policy.config().padTokenId() >= 0) pad = policy.config().padTokenId();
        if (pad == null && policy.config().eosTokenId() >= 0) pad = policy.config().eosTokenId();
        if (pad == null) throw new IllegalArgumentException("DPOTrainer: no pad or EOS token to pad batches with");
        return pad;
    }

    /** The dataset with {@code ref_chosen_logps} and {@code ref_rejected_logps} columns from one reference pass. */
    @SuppressWarnings("try")
    private static Dataset withReferenceLogps(Dataset rows, ReferenceModel reference, DataCollatorForPreference collator,
                                              int batchSize) {
        DataLoader loader = DataLoader.sequential(rows, batchSize, collator);
        List<Map<String, Object>> out = new ArrayList<>(rows.size());
        int[] order = loader.order(0);
        int next = 0;
        for (int i = 0; i < loader.size(); i++) {
            ModelInputs batch = loader.batch(order, i);
            float[] logps;
            try (MemoryScope scope = MemoryScope.open()) {
                logps = reference.logps(batch.inputIds(), batch.attentionMask(), batch.extra("completion_mask"));
            }
            int b = logps.length / 2;
            for (int k = 0; k < b; k++) {
                Map<String, Object> row = new LinkedHashMap<>(rows.get(next++));
                row.put("ref_chosen_logps", (double) logps[k]);
                row.put("ref_rejected_logps", (double) logps[b + k]);
                out.add(row);
            }
        }
        return Dataset.fromRows(out);
    }

    public Trainer trainer() {
        return trainer;
    }

    /** How the training data were prepared. */
    public DPOData.Report trainReport() {
        return trainReport;
    }

    public PreTrainedCausalLM model() {
        return policy;
    }

    public TrainOutput train() throws IOException {
        return trainer.train();
    }

    public Map<String, Double> evaluate() {
        return trainer.evaluate();
    }

    /** Writes the policy (an adapter folder in PEFT's layout, or a full checkpoint) and the training arguments. */
    public void saveModel() throws IOException {
        trainer.saveModel();
    }
}
