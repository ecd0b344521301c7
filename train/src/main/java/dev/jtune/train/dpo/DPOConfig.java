package dev.jtune.train.dpo;

import dev.jtune.train.TrainingArguments;
import java.util.List;

/**
 * TRL's {@code DPOConfig}: the trainer's arguments plus Direct Preference Optimization's own. TRL changes two
 * {@link TrainingArguments} defaults, which {@link #defaultArguments()} carries: {@code learning_rate} 1e-6 and
 * {@code logging_steps} 10.
 *
 * @param args                  the trainer's arguments
 * @param beta                  {@code beta} (0.1): the strength of the implicit KL penalty towards the reference
 * @param lossType              {@code loss_type} (sigmoid): sigmoid, hinge, ipo or robust
 * @param labelSmoothing        {@code label_smoothing} (0): the assumed share of flipped preferences, for robust
 * @param maxLength             {@code max_length} (1024): prompt + completion is truncated to it; null for none
 * @param truncationMode        {@code truncation_mode} (keep_start): keep_start or keep_end
 * @param precomputeRefLogProbs {@code precompute_ref_log_probs} (false): run the reference once over the data first
 * @param disableDropout        {@code disable_dropout} (true)
 * @param padToMultipleOf       {@code pad_to_multiple_of}: null pads to the longest row
 */
public record DPOConfig(TrainingArguments args, double beta, String lossType, double labelSmoothing, Integer maxLength,
                        String truncationMode, boolean precomputeRefLogProbs, boolean disableDropout,
                        Integer padToMultipleOf) {

    /** The loss types jtune implements (TRL has more; the others are refused by name). */
    public static final List<String> LOSS_TYPES = List.of("sigmoid", "hinge", "ipo", "robust");

    public DPOConfig {
        if (args == null) throw new IllegalArgumentException("DPOConfig: args must be given");
        if (!(beta > 0) || !Double.isFinite(beta)) throw new IllegalArgumentException("DPOConfig: beta must be > 0, got " + beta);
        if (!LOSS_TYPES.contains(lossType)) {
            throw new IllegalArgumentException("DPOConfig: unsupported loss_type '" + lossType + "' (jtune supports " + LOSS_TYPES + ")");
        }
        if (!(labelSmoothing >= 0 && labelSmoothing < 0.5)) {
            throw new IllegalArgumentException("DPOConfig: label_smoothing must be in [0, 0.5), got " + labelSmoothing);
        }
        if (maxLength != null && maxLength < 1) throw new IllegalArgumentException("DPOConfig: max_length must be >= 1, got " + maxLength);
        if (!truncationMode.equals("keep_start") && !truncationMode.equals("keep_end")) {
            throw new IllegalArgumentException("DPOConfig: truncation_mode must be keep_start or keep_end, got " + truncationMode);
        }
        if (padToMultipleOf != null && padToMultipleOf < 1) {
            throw new IllegalArgumentException("DPOConfig: pad_to_multiple_of must be >= 1, got " + padToMultipleOf);
        }
    }

    /** TRL's defaults over {@code args}. */
    public static DPOConfig of(TrainingArguments args) {
        return new DPOConfig(args, 0.1, "sigmoid", 0, 1024, "keep_start", false, true, null);
    }

    /** transformers' defaults with TRL's two changes: {@code learning_rate} 1e-6, {@code logging_steps} 10. */
    public static TrainingArguments.Builder defaultArguments() {
        return TrainingArguments.builder().learningRate(1e-6).loggingSteps(10);
    }

    public DPOConfig withBeta(double v) {
        return new DPOConfig(args, v, lossType, labelSmoothing, maxLength, truncationMode, precomputeRefLogProbs,
                disableDropout, padToMultipleOf);
    }

    public DPOConfig withLossType(String v, double smoothing) {
        return new DPOConfig(args, beta, v, smoothing, maxLength, truncationMode, precomputeRefLogProbs, disableDropout,
                padToMultipleOf);
    }

    public DPOConfig withMaxLength(Integer v, String mode) {
        return new DPOConfig(args, beta, lossType, labelSmoothing, v, mode, precomputeRefLogProbs, disableDropout,
                padToMultipleOf);
    }

    public DPOConfig withPrecomputeRefLogProbs(boolean v) {
        return new DPOConfig(args, beta, lossType, labelSmoothing, maxLength, truncationMode, v, disableDropout,
                padToMultipleOf);
    }

    public DPOConfig withDisableDropout(boolean v) {
        return new DPOConfig(args, beta, lossType, labelSmoothing, maxLength, truncationMode, precomputeRefLogProbs, v,
                padToMultipleOf);
    }

    public DPOConfig withPadToMultipleOf(Integer v) {
        return new DPOConfig(args, beta, lossType, labelSmoothing, maxLength, truncationMode, precomputeRefLogProbs,
                disableDropout, v);
    }
}
