package dev.jtune.bench.model;

import dev.jtune.core.MemoryScope;
import dev.jtune.core.Tensor;
import dev.jtune.core.autograd.GradMode;
import dev.jtune.nn.gpt2.GPT2LMHeadModel;

/**
 * One side of {@link Gpt2AbHarness}: a randomly initialised GPT-2 (no dropout) and random tokens at the shapes of
 * {@code gpt2-step} (its {@code --config} presets); {@link #run} is one forward pass with the loss and no grad ({@code forward}), or a forward and
 * backward with the gradients zeroed after ({@code step}; no optimizer, so the weights never change). Public, with a
 * public constructor, because the harness builds one per class loader by reflection.
 */
public final class Gpt2AbRunner implements Runnable {

    private final GPT2LMHeadModel model;
    private final Tensor input;
    private final boolean step;

    public Gpt2AbRunner(String preset, String mode) {
        step = switch (mode) {
            case "forward" -> false;
            case "step" -> true;
            default -> throw new IllegalArgumentException("--mode must be forward or step, got " + mode);
        };
        model = new GPT2LMHeadModel(Gpt2StepHarness.config(preset).toBuilder().dropout(0).build(), 1);
        model.train(true);
        input = Gpt2StepHarness.randomTokens(Gpt2StepHarness.defaultBatch(preset), Gpt2StepHarness.defaultSeq(preset));
    }

    @Override
    public void run() {
        if (step) {
            try (var memory = MemoryScope.open()) {
                model.forward(input, null, input).loss().backward();
            }
            model.zeroGrad();
        } else {
            try (var noGrad = GradMode.noGrad(); var memory = MemoryScope.open()) {
                model.forward(input, null, input);
            }
        }
    }
}
