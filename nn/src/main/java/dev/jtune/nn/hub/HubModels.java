package dev.jtune.nn.hub;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Iterator;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Set;
import java.util.regex.Pattern;

/**
 * {@code --model}: a local folder as it is, or a hub repository id ({@code Qwen/Qwen2.5-0.5B}) resolved to its
 * snapshot folder in the Hugging Face cache, downloading the files a causal LM needs when they are not cached.
 *
 * <p>A snapshot that already has every file (each optional one present or known missing) is used without a request,
 * so a second run is offline; {@code HF_HUB_OFFLINE=1} never asks the hub.
 */
public final class HubModels {

    /** Files read when present. */
    static final List<String> OPTIONAL = List.of("generation_config.json", "tokenizer_config.json",
            "special_tokens_map.json", "chat_template.jinja");
    static final String CONFIG = "config.json", WEIGHTS = "model.safetensors", INDEX = "model.safetensors.index.json",
            TOKENIZER = "tokenizer.json", VOCAB = "vocab.json", MERGES = "merges.txt";
    private static final Pattern REPO_ID = Pattern.compile("[A-Za-z0-9][\\w.-]*(/[A-Za-z0-9][\\w.-]*)?");
    private static final ObjectMapper JSON = new ObjectMapper();

    private HubModels() {}

    /** {@link #resolve(String, String, HubSettings, DownloadListener)} with the environment's settings. */
    public static Path resolve(String model, String revision, DownloadListener listener) throws IOException {
        return resolve(model, revision, HubSettings.fromEnvironment(), listener);
    }

    /**
     * The folder holding the model's files: {@code model} itself when it is a folder, else the cache's snapshot of
     * the repository {@code model} at {@code revision} (a branch, tag or commit; null for main).
     */
    public static Path resolve(String model, String revision, HubSettings settings, DownloadListener listener)
            throws IOException {
        Path local = Path.of(model);
        if (Files.isDirectory(local)) return local;
        if (!isRepoId(model)) {
            throw new HubException(model + ": no model folder (config.json, model.safetensors, tokenizer) there, "
                    + "and not a hub repository id (owner/name)");
        }
        String rev = revision == null ? "main" : revision;
        HubDownload download = new HubDownload(settings, model, listener);
        HubCache cache = download.cache();
        String commit = cache.commitOf(rev);
        if (commit != null && SnapshotCheck.complete(cache, commit)) return cache.snapshotDir(commit);
        if (settings.offline()) return offline(model, rev, cache, commit, settings);
        try {
            return new HubModelFiles(download, rev).fetchAll();
        } catch (HubException e) {
            throw e;
        } catch (IOException e) {  // the hub could not be reached, or a download broke off: the cache may do
            if (commit != null && SnapshotCheck.missing(cache, commit) == null) return cache.snapshotDir(commit);
            String reason = e.getMessage() == null ? e.getClass().getSimpleName() : e.getMessage();
            throw new HubException(model + ": downloading from " + settings.endpoint() + " failed (" + reason
                    + ") and the model is not in the cache " + settings.cacheDir(), e);
        }
    }

    /** True for {@code name} or {@code owner/name} as the hub spells them (no {@code --} or {@code ..}). */
    public static boolean isRepoId(String s) {
        return REPO_ID.matcher(s).matches() && !s.contains("--") && !s.contains("..") && !s.endsWith(".");
    }

    private static Path offline(String model, String rev, HubCache cache, String commit, HubSettings settings)
            throws HubException {
        if (commit == null || !Files.isDirectory(cache.snapshotDir(commit))) {
            throw new HubException(model + " (revision " + rev + ") is not in the Hugging Face cache "
                    + settings.cacheDir() + " and HF_HUB_OFFLINE=1 forbids downloading it: unset HF_HUB_OFFLINE "
                    + "once to download it");
        }
        String missing = SnapshotCheck.missing(cache, commit);
        if (missing != null) {
            throw new HubException(model + " (revision " + rev + "): the cached snapshot " + cache.snapshotDir(commit)
                    + " has no " + missing + " and HF_HUB_OFFLINE=1 forbids downloading it");
        }
        return cache.snapshotDir(commit);
    }

    /** The distinct shard files an index's {@code weight_map} names, in order of first mention. */
    static List<String> shards(Path index) throws IOException {
        JsonNode map = JSON.readTree(index.toFile()).get("weight_map");
        if (map == null || !map.isObject()) throw new HubException(index + ": no weight_map object");
        Set<String> files = new LinkedHashSet<>();
        for (Iterator<JsonNode> it = map.elements(); it.hasNext(); ) files.add(it.next().asText());
        return new ArrayList<>(files);
    }
}
