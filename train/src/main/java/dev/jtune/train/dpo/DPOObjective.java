package dev.jtune.train.dpo;

import dev.jtune.core.Tensor;
import dev.jtune.nn.PreTrainedCausalLM;
import dev.jtune.train.MetricLog;
import dev.jtune.train.PairwiseEvaluation;
import dev.jtune.train.TrainingObjective;
import dev.jtune.train.data.DataLoader;
import dev.jtune.train.data.ModelInputs;

/**
 * TRL's {@code DPOTrainer} loss as a {@link TrainingObjective}: the policy's summed completion log-probs of the chosen
 * and rejected rows against the reference's (computed by the {@link ReferenceModel}, or precomputed into the batch),
 * the {@link DPOLoss} of the configured type averaged over the pairs, counted once per micro-batch as transformers
 * does for a loss without an item count, and the metrics TRL logs ({@link DPOMetrics}, plus a running
 * {@code num_tokens}).
 */
public final class DPOObjective implements TrainingObjective {

    private final PreTrainedCausalLM policy;
    private final ReferenceModel reference;
    private final DPOConfig config;
    private long totalTrainTokens;

    /** @param reference null when every batch carries precomputed reference log-probs */
    public DPOObjective(PreTrainedCausalLM policy, ReferenceModel reference, DPOConfig config) {
        this.policy = policy;
        this.reference = reference;
        this.config = config;
    }

    @Override
    public PreTrainedCausalLM model() {
        return policy;
    }

    @Override
    public long count(ModelInputs batch) {
        return 1;
    }

    @Override
    public Tensor lossSum(ModelInputs batch, MetricLog metrics) {
        return loss(batch, metrics, true);
    }

    private Tensor loss(ModelInputs batch, MetricLog metrics, boolean training) {
        Tensor ids = batch.inputIds(), completion = batch.extra("completion_mask");
        int b = ids.size(0) / 2;
        float[] ref = referenceLogps(batch);
        Tensor hidden = policy.hiddenStates(ids, batch.attentionMask(), null, null);  // (2B, T, C)
        CompletionLogProbs.Scored scored = CompletionLogProbs.atCompletions(hidden, ids, completion, policy::outputHead);
        Tensor logps = scored.logps();                                                 // (2B)
        float[] lengths = CompletionLogProbs.lengths(completion);
        Tensor loss = DPOLoss.compute(config.lossType(), config.beta(), config.labelSmoothing(),
                logps.narrow(0, 0, b), logps.narrow(0, b, b), java.util.Arrays.copyOfRange(ref, 0, b),
                java.util.Arrays.copyOfRange(ref, b, 2 * b), java.util.Arrays.copyOfRange(lengths, 0, b),
                java.util.Arrays.copyOfRange(lengths, b, 2 * b));
        DPOMetrics.report(scored.logits(), scored.positions(), ids, logps.detach().toFloatArray(), ref, config.beta(),
                metrics, () -> {
            if (training) for (long m : batch.attentionMask().toLongArray()) totalTrainTokens += m;
            metrics.set("num_tokens", totalTrainTokens);
        });
        return loss;
    }

    private float[] referenceLogps(ModelInputs batch) {
        Tensor chosen = batch.extra("ref_chosen_logps"), rejected = batch.extra("ref_rejected_logps");
        if (chosen != null && rejected != null) {
            float[] c = chosen.toFloatArray(), r = rejected.toFloatArray(), out = new float[c.length + r.length];
            System.arraycopy(c, 0, out, 0, c.length);
            System.arraycopy(r, 0, out, c.length, r.length);
            return out;
        }
        if (reference == null) throw new IllegalStateException("DPO: no reference model and no precomputed ref_*_logps");
        return reference.logps(batch.inputIds(), batch.attentionMask(), batch.extra("completion_mask"));
    }

    /** {@link PairwiseEvaluation}, with {@code num_tokens} the training total so far. */
    @Override
    public Evaluated evaluate(DataLoader loader) {
        return PairwiseEvaluation.run(policy, loader, (batch, metrics) -> loss(batch, metrics, false));
    }
}
