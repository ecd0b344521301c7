package dev.jtune.app;

import picocli.CommandLine.Option;

/** The options TRL's preference configs share ({@code RewardConfig}, {@code DPOConfig}), for reward-train and dpo. */
final class PreferenceOptions {

    @Option(names = "--pad-to-multiple-of", description = "Pad batches to a multiple of this many tokens.")
    Integer padToMultipleOf;

    @Option(names = "--keep-dropout", description = "Train with the model's dropout (TRL's disable_dropout=False).")
    boolean keepDropout;
}
