package dev.jtune.train.dpo;

import dev.jtune.core.MemoryScope;
import dev.jtune.core.Tensor;
import dev.jtune.core.autograd.GradMode;
import dev.jtune.nn.Parameter;
import dev.jtune.nn.PreTrainedCausalLM;
import dev.jtune.nn.peft.LoraLayer;
import dev.jtune.nn.peft.PeftModel;
import java.util.ArrayList;
import java.util.List;

/**
 * Where DPO's reference log-probs come from, TRL's choices: the policy with its LoRA adapter disabled (a new adapter:
 * the reference is the base, and no second model is held), the policy with a frozen copy of the adapter it started
 * from swapped in (an existing adapter is trained further: TRL adds it as a second adapter named {@code ref}), or a
 * separate frozen model (full fine-tuning). Each computes under no-grad, in eval mode.
 */
public interface ReferenceModel {

    /**
     * The summed completion log-probs of every row, chosen rows first.
     *
     * @param inputIds       [2B, T]
     * @param attentionMask  [2B, T]
     * @param completionMask [2B, T]
     * @return [2B]
     */
    float[] logps(Tensor inputIds, Tensor attentionMask, Tensor completionMask);

    /** The policy with its adapters turned off. */
    static ReferenceModel adapterDisabled(PeftModel policy) {
        return (ids, mask, completion) -> {
            try (var off = policy.disableAdapter()) {
                return run(policy, ids, mask, completion);
            }
        };
    }

    /** The policy with the adapter values it has now (frozen copies) swapped in for each reference pass. */
    static ReferenceModel adapterCopy(PeftModel policy) {
        List<Parameter> parameters = new ArrayList<>();
        List<Tensor> copies = new ArrayList<>();
        for (LoraLayer layer : policy.loraLayers().values()) {
            for (Parameter p : List.of(layer.loraA(), layer.loraB())) {
                parameters.add(p);
                copies.add(p.value().detach().clone());
            }
        }
        return (ids, mask, completion) -> {
            List<Tensor> trained = new ArrayList<>();
            for (int i = 0; i < parameters.size(); i++) trained.add(parameters.get(i).swapValue(copies.get(i)));
            try {
                return run(policy, ids, mask, completion);
            } finally {
                for (int i = 0; i < parameters.size(); i++) parameters.get(i).swapValue(trained.get(i));
            }
        };
    }

    /** A separate model, frozen. */
    static ReferenceModel frozen(PreTrainedCausalLM model) {
        model.parameters().forEach(p -> p.requiresGrad(false));
        return (ids, mask, completion) -> run(model, ids, mask, completion);
    }

    @SuppressWarnings("try")  // the no-grad scope is used for its effect
    private static float[] run(PreTrainedCausalLM model, Tensor ids, Tensor mask, Tensor completion) {
        boolean training = model.isTraining();
        model.eval();
        // its own memory scope: the reference's activations are released before the policy's forward begins
        try (var noGrad = GradMode.noGrad(); MemoryScope scope = MemoryScope.open()) {
            Tensor hidden = model.hiddenStates(ids, mask, null, null);  // (2B, T, C)
            return CompletionLogProbs.atCompletions(hidden, ids, completion, model::outputHead).logps().toFloatArray();
        } finally {
            model.train(training);
        }
    }
}
