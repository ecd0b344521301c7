package dev.jtune.app;

import dev.jtune.core.DType;
import dev.jtune.nn.AutoModelForSequenceClassification;
import dev.jtune.nn.PreTrainedCausalLM;
import dev.jtune.nn.SequenceClassificationModel;
import dev.jtune.nn.peft.LoraConfigJson;
import dev.jtune.nn.peft.PeftModel;
import dev.jtune.nn.peft.PeftModelForSequenceClassification;
import dev.jtune.tokenizer.AutoTokenizer;
import dev.jtune.tokenizer.Tokenizer;
import java.io.IOException;
import java.io.OutputStream;
import java.io.PrintStream;
import java.nio.file.Path;
import java.util.Locale;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;

/**
 * {@code ./jtune merge --model DIR --adapter DIR --output-dir DIR}: PEFT's {@code merge_and_unload} then
 * {@code save_pretrained}: a plain checkpoint in the base's layout, loadable without the adapter; a causal LM's
 * adapter, or a reward model's ({@code task_type} SEQ_CLS).
 */
@Command(name = "merge", mixinStandardHelpOptions = true, sortOptions = false,
        description = {"Merge a LoRA adapter (PEFT's adapter_config.json + adapter_model.safetensors) into its base model "
                + "and save a plain checkpoint in the base's layout (config.json, model.safetensors) with the tokenizer. "
                + "A reward model's adapter (task_type SEQ_CLS, from reward-train --lora-r) gives a "
                + "*ForSequenceClassification checkpoint that score --model reads.",
            "Each adapted weight becomes W + B A scaling (lora_alpha / r, or / sqrt(r) with rsLoRA); the result computes "
                    + "what base + adapter computed."})
final class MergeCommand implements Callable<Integer> {

    @Option(names = "--model", description = "The base model folder (default: the adapter's base_model_name_or_path).")
    Path model;

    @Option(names = "--adapter", required = true, description = "The adapter folder, as finetune --lora-r or PEFT saves it.")
    Path adapter;

    @Option(names = "--output-dir", required = true, description = "Where the merged model and its tokenizer go.")
    Path outputDir;

    @Option(names = "--dtype", defaultValue = "auto", paramLabel = "DTYPE",
            description = {"The dtype the base is loaded, merged and saved in, as transformers' from_pretrained(dtype=...): "
                    + "auto (default: the one the checkpoint stores, as transformers 5 loads it), float32, bfloat16 or "
                    + "float16.",
                "Each merged weight is W + B A scaling computed in float32 and rounded once; in bfloat16 a delta under "
                        + "half of W's rounding step is lost, float32 keeps it (a file twice the size)."})
    String dtype;

    @Override
    public Integer call() throws Exception {
        DType dtype = dtype();
        String task = LoraConfigJson.read(adapter, new PrintStream(OutputStream.nullOutputStream())).taskType();
        if (PeftModelForSequenceClassification.TASK_TYPE.equals(task)) return mergeClassifier(dtype);
        AdapterLoading.Loaded loaded = AdapterLoading.loadIn(dtype, model, adapter);
        PeftModel peft = (PeftModel) loaded.model();
        int adapters = peft.loraLayers().size();
        PreTrainedCausalLM merged = peft.mergeAndUnload();
        merged.savePretrained(outputDir);
        loaded.tokenizer().savePretrained(outputDir);
        FineTuning.log("merged %d LoRA adapters of %s into %s in %s; saved the model and tokenizer (from %s) in %s",
                adapters, adapter, loaded.baseDir(), merged.parameters().getFirst().value().dtype(),
                loaded.tokenizerDir(), outputDir);
        return 0;
    }

    /**
     * A reward model's adapter ({@code task_type} SEQ_CLS, from {@code reward-train --lora-r}): merged into the
     * classifier of its base, whose {@code score} head comes from the adapter (F32, as it was trained), and saved as a
     * {@code *ForSequenceClassification} checkpoint that {@code score --model} reads.
     */
    private int mergeClassifier(DType dtype) throws IOException {
        Path base = AdapterLoading.baseDir(model, adapter), tokenizerDir = AdapterLoading.tokenizerDir(base, adapter);
        SequenceClassificationModel classifier = AutoModelForSequenceClassification.fromPretrained(base, 0, 0,
                AdapterLoading.dtypeFor(dtype, base));
        PeftModelForSequenceClassification peft = PeftModelForSequenceClassification.fromPretrained(classifier, adapter,
                false);
        Tokenizer tokenizer = AutoTokenizer.fromPretrained(tokenizerDir);
        TokenizerFit.check(tokenizer, peft, tokenizerDir);
        int adapters = peft.loraLayers().size();
        SequenceClassificationModel merged = peft.mergeAndUnload();
        merged.savePretrained(outputDir);
        tokenizer.savePretrained(outputDir);
        FineTuning.log("merged %d LoRA adapters of %s into the reward model of %s, its body in %s; saved it and the "
                + "tokenizer (from %s) in %s", adapters, adapter, base, merged.parameters().getFirst().value().dtype(),
                tokenizerDir, outputDir);
        return 0;
    }

    /** {@code --dtype}: null for auto (the checkpoint's own). */
    private DType dtype() {
        return switch (dtype.toLowerCase(Locale.ROOT)) {
            case "auto" -> null;
            case "float32", "f32" -> DType.F32;
            case "bfloat16", "bf16" -> DType.BF16;
            case "float16", "f16" -> DType.F16;
            default -> throw new IllegalArgumentException("--dtype must be auto, float32, bfloat16 or float16, got " + dtype);
        };
    }
}
