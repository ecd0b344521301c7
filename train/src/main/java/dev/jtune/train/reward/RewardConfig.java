package dev.jtune.train.reward;

import dev.jtune.train.TrainingArguments;

/**
 * TRL's {@code RewardConfig}: the trainer's arguments plus what is specific to reward modelling. TRL changes two
 * {@link TrainingArguments} defaults, which {@link #defaultArguments()} carries: {@code learning_rate} 1e-4 and
 * {@code logging_steps} 10.
 *
 * @param args                     the trainer's arguments
 * @param maxLength                {@code max_length} (1024): pairs with a longer chosen or rejected sequence are
 *                                 dropped, not truncated; null keeps every pair
 * @param centerRewardsCoefficient {@code center_rewards_coefficient}: adds {@code coef * mean((r_c + r_r)^2)}; null
 *                                 for none
 * @param disableDropout           {@code disable_dropout} (true): the model trains without dropout
 * @param eosToken                 {@code eos_token}: appended to text completions lacking it; null for the tokenizer's
 * @param padToMultipleOf          {@code pad_to_multiple_of}: null pads to the longest row
 */
public record RewardConfig(TrainingArguments args, Integer maxLength, Double centerRewardsCoefficient,
                           boolean disableDropout, String eosToken, Integer padToMultipleOf) {

    public RewardConfig {
        if (args == null) throw new IllegalArgumentException("RewardConfig: args must be given");
        if (maxLength != null && maxLength < 1) throw new IllegalArgumentException("RewardConfig: max_length must be >= 1, got " + maxLength);
        if (padToMultipleOf != null && padToMultipleOf < 1) {
            throw new IllegalArgumentException("RewardConfig: pad_to_multiple_of must be >= 1, got " + padToMultipleOf);
        }
    }

    /** TRL's defaults over {@code args}: max_length 1024, no centring, dropout disabled. */
    public static RewardConfig of(TrainingArguments args) {
        return new RewardConfig(args, 1024, null, true, null, null);
    }

    /** transformers' defaults with TRL's two changes: {@code learning_rate} 1e-4, {@code logging_steps} 10. */
    public static TrainingArguments.Builder defaultArguments() {
        return TrainingArguments.builder().learningRate(1e-4).loggingSteps(10);
    }

    public RewardConfig withMaxLength(Integer v) {
        return new RewardConfig(args, v, centerRewardsCoefficient, disableDropout, eosToken, padToMultipleOf);
    }

    public RewardConfig withCenterRewardsCoefficient(Double v) {
        return new RewardConfig(args, maxLength, v, disableDropout, eosToken, padToMultipleOf);
    }

    public RewardConfig withDisableDropout(boolean v) {
        return new RewardConfig(args, maxLength, centerRewardsCoefficient, v, eosToken, padToMultipleOf);
    }

    public RewardConfig withEosToken(String v) {
        return new RewardConfig(args, maxLength, centerRewardsCoefficient, disableDropout, v, padToMultipleOf);
    }

    public RewardConfig withPadToMultipleOf(Integer v) {
        return new RewardConfig(args, maxLength, centerRewardsCoefficient, disableDropout, eosToken, v);
    }
}
