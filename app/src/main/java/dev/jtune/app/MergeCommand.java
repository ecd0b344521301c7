package dev.jtune.app;

import dev.jtune.nn.PreTrainedCausalLM;
import dev.jtune.nn.peft.PeftModel;
import java.nio.file.Path;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;

/**
 * {@code ./jtune merge --model DIR --adapter DIR --output-dir DIR}: PEFT's {@code merge_and_unload} then
 * {@code save_pretrained}: a plain checkpoint in the base's layout, loadable without the adapter.
 */
@Command(name = "merge", mixinStandardHelpOptions = true, sortOptions = false,
        description = {"Merge a LoRA adapter (PEFT's adapter_config.json + adapter_model.safetensors) into its base model "
                + "and save a plain checkpoint in the base's layout (config.json, model.safetensors) with the tokenizer.",
            "Each adapted weight becomes W + B A scaling (lora_alpha / r, or / sqrt(r) with rsLoRA); the result computes "
                    + "what base + adapter computed."})
final class MergeCommand implements Callable<Integer> {

    @Option(names = "--model", description = "The base model folder (default: the adapter's base_model_name_or_path).")
    Path model;

    @Option(names = "--adapter", required = true, description = "The adapter folder, as finetune --lora-r or PEFT saves it.")
    Path adapter;

    @Option(names = "--output-dir", required = true, description = "Where the merged model and its tokenizer go.")
    Path outputDir;

    @Override
    public Integer call() throws Exception {
        AdapterLoading.Loaded loaded = AdapterLoading.load(model, adapter, false);
        PeftModel peft = (PeftModel) loaded.model();
        int adapters = peft.loraLayers().size();
        PreTrainedCausalLM merged = peft.mergeAndUnload();
        merged.savePretrained(outputDir);
        loaded.tokenizer().savePretrained(outputDir);
        FineTuning.log("merged %d LoRA adapters of %s into %s; saved the model and tokenizer (from %s) in %s", adapters,
                adapter, loaded.baseDir(), loaded.tokenizerDir(), outputDir);
        return 0;
    }
}
