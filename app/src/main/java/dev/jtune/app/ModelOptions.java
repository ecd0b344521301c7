package dev.jtune.app;

import dev.jtune.nn.hub.HubModels;
import java.io.IOException;
import java.nio.file.Path;
import picocli.CommandLine.Option;

/**
 * {@code --model} and {@code --revision}: a model folder, or a Hugging Face repository id resolved through the cache
 * ({@code $HF_HUB_CACHE}, {@code $HF_HOME/hub} or {@code ~/.cache/huggingface/hub}) and downloaded when missing.
 */
final class ModelOptions {

    @Option(names = "--model", paramLabel = "DIR|REPO",
            description = "Model folder (config.json, model.safetensors, tokenizer) or a Hugging Face repository id such "
                    + "as Qwen/Qwen2.5-0.5B: taken from the Hugging Face cache, downloaded into it when missing "
                    + "(HF_TOKEN for private or gated models; HF_HUB_OFFLINE=1: the cache only). With --adapter, the "
                    + "base (default: the adapter's base_model_name_or_path).")
    String model;

    @Option(names = "--revision", paramLabel = "REV",
            description = "Branch, tag or commit of a repository id (default: main).")
    String revision;

    /** The folder holding the model's files (a cache snapshot for a repository id), or null when none was given. */
    Path folder() throws IOException {
        return model == null ? null : HubModels.resolve(model, revision, new DownloadProgress());
    }
}
