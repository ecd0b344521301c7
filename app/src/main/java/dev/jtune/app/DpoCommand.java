package dev.jtune.app;

import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.jtune.core.DType;
import dev.jtune.nn.AutoModelForCausalLM;
import dev.jtune.nn.Checkpoints;
import dev.jtune.nn.PreTrainedCausalLM;
import dev.jtune.nn.peft.LoraConfig;
import dev.jtune.nn.peft.PeftModel;
import dev.jtune.tokenizer.AutoTokenizer;
import dev.jtune.tokenizer.Tokenizer;
import dev.jtune.train.TrainingArguments;
import dev.jtune.train.data.Dataset;
import dev.jtune.train.distributed.Distributed;
import dev.jtune.train.dpo.DPOConfig;
import dev.jtune.train.dpo.DPOTrainer;
import dev.jtune.train.dpo.ReferenceModel;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.Callable;
import picocli.CommandLine.ArgGroup;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Option;

/**
 * {@code ./jtune dpo --model DIR --data FILE --output-dir DIR [--adapter DIR | --lora-r N]}: Direct Preference
 * Optimization with TRL's {@code DPOTrainer} semantics, saving the adapter (PEFT's layout) or the model
 * (transformers').
 */
@Command(name = "dpo", mixinStandardHelpOptions = true, sortOptions = false, abbreviateSynopsis = true,
        optionListHeading = "%nModel, data and DPO:%n",
        description = {"Direct Preference Optimization (TRL's DPOTrainer) of a causal LM on preference data.",
            "Data: JSONL/CSV rows with prompt, chosen and rejected texts (no prompt column: the shared prefix is the "
                + "prompt), or prompt_ids, chosen_ids and rejected_ids.",
            "Reference: with --lora-r the model with its new adapter disabled; with --adapter a frozen copy of that "
                + "adapter; otherwise --ref-model or a frozen copy of --model. TRL's defaults: learning rate 1e-6, "
                + "logging every 10 steps."})
final class DpoCommand implements Callable<Integer> {

    @Option(names = "--model", required = true, description = "The policy's base model folder (config.json, weights, tokenizer).")
    Path model;

    @Option(names = "--data", required = true, description = "Training examples (JSONL or CSV).")
    Path data;

    @Option(names = "--eval-data", description = "Evaluation examples: eval_loss, eval_rewards/accuracies, ...")
    Path evalData;

    @Option(names = "--ref-model", description = "A separate frozen reference model folder (full fine-tuning).")
    Path refModel;

    @Option(names = "--beta", defaultValue = "0.1", description = "Strength of the pull towards the reference (default: ${DEFAULT-VALUE}).")
    double beta;

    @Option(names = "--loss-type", defaultValue = "sigmoid", description = "sigmoid, hinge, ipo or robust (default: ${DEFAULT-VALUE}).")
    String lossType;

    @Option(names = "--label-smoothing", defaultValue = "0", description = "Assumed share of flipped preferences, for robust (default: ${DEFAULT-VALUE}).")
    double labelSmoothing;

    @Option(names = "--max-length", defaultValue = "1024", description = "Truncate prompt + completion to this many tokens (default: ${DEFAULT-VALUE}); 0 for none.")
    int maxLength;

    @Option(names = "--truncation-mode", defaultValue = "keep_start", description = "keep_start or keep_end (default: ${DEFAULT-VALUE}).")
    String truncationMode;

    @Option(names = "--precompute-ref-log-probs", description = "Run the reference once over the data before training.")
    boolean precomputeRefLogProbs;

    @Mixin
    PreferenceOptions preference;

    @ArgGroup(validate = false, heading = "%nLoRA (PEFT adapters on a frozen base):%n", order = 3)
    LoraOptions lora = new LoraOptions();

    @Mixin
    TrainingArgumentsOptions training;

    @Override
    public Integer call() throws IOException {
        ObjectNode trlDefaults = new ObjectMapper().createObjectNode().put("learning_rate", 1e-6).put("logging_steps", 10);
        TrainingArguments args = training.toArguments(trlDefaults);
        Path out = Path.of(args.outputDir());
        Files.createDirectories(out);
        Tokenizer tokenizer = AutoTokenizer.fromPretrained(model);
        LoraConfig loraConfig = lora.config(model);  // checks the flags first: --base-dtype is f32 without adapters
        PreTrainedCausalLM base = AutoModelForCausalLM.fromPretrained(model,
                Checkpoints.loadDtypeForFrozenBase(model, lora.baseDtype()));
        TokenizerFit.check(tokenizer, base, model);
        PreTrainedCausalLM policy;
        ReferenceModel reference;
        if (lora.adapter != null || loraConfig != null) {
            PeftModel peft = lora.adapter != null ? PeftModel.fromPretrained(base, lora.adapter, true)
                    : PeftModel.getPeftModel(base, loraConfig, args.seed());
            if (lora.baseDtype() != DType.F32) peft.frozenBaseTo(lora.baseDtype());
            policy = peft;
            reference = refModel != null ? ReferenceModel.frozen(AutoModelForCausalLM.fromPretrained(refModel,
                    Checkpoints.inferenceDtype(refModel)))
                    : lora.adapter != null ? ReferenceModel.adapterCopy(peft) : ReferenceModel.adapterDisabled(peft);
        } else {
            policy = base;
            // TRL's frozen copy of the policy as loaded; a bf16 checkpoint is read again in bf16 instead (the same
            // numbers, at half the memory of an F32 copy).
            Path referenceDir = refModel != null ? refModel : model;
            DType referenceDtype = Checkpoints.inferenceDtype(referenceDir);
            reference = ReferenceModel.frozen(refModel == null && referenceDtype == DType.F32
                    ? AutoModelForCausalLM.copyOf(base)
                    : AutoModelForCausalLM.fromPretrained(referenceDir, referenceDtype));
        }
        DPOConfig config = new DPOConfig(args, beta, lossType, labelSmoothing, maxLength > 0 ? maxLength : null,
                truncationMode, precomputeRefLogProbs, !preference.keepDropout, preference.padToMultipleOf);
        Dataset train = TrainingOutputs.read(data), eval = evalData == null ? null : TrainingOutputs.read(evalData);
        DPOTrainer trainer;
        try {
            trainer = new DPOTrainer(policy, reference, config, tokenizer, train, eval, List.of());
        } catch (IllegalArgumentException e) {
            throw new IllegalArgumentException(data + (evalData == null ? "" : " / " + evalData) + ": " + e.getMessage(), e);
        }
        FineTuning.log("DPO of %s (%s, %.2fM trainable of %.2fM), loss %s, beta %s; %s", model,
                policy instanceof PeftModel ? "LoRA" : "full", trainable(policy) / 1e6, policy.numParameters() / 1e6,
                lossType, beta, trainer.trainReport());
        trainer.train();
        Map<String, Object> metrics = new LinkedHashMap<>();
        if (eval != null) metrics.putAll(trainer.evaluate());
        trainer.saveModel();
        if (!Distributed.isMainProcess()) return 0;  // under mpirun, rank 0 writes the files
        TrainingOutputs.write(trainer.trainer(), tokenizer, out, metrics,
                policy instanceof PeftModel ? "adapter (PEFT layout)" : "model", "DPO loss");
        return 0;
    }

    private static long trainable(PreTrainedCausalLM model) {
        return model.parameters().stream().filter(p -> p.requiresGrad()).mapToLong(p -> p.numel()).sum();
    }

}
