package dev.jtune.nn.hub;

import static dev.jtune.nn.hub.HubModels.CONFIG;
import static dev.jtune.nn.hub.HubModels.INDEX;
import static dev.jtune.nn.hub.HubModels.MERGES;
import static dev.jtune.nn.hub.HubModels.TOKENIZER;
import static dev.jtune.nn.hub.HubModels.VOCAB;
import static dev.jtune.nn.hub.HubModels.WEIGHTS;

import java.io.IOException;
import java.nio.file.Path;

/**
 * Downloads the files of a causal LM, as transformers' {@code from_pretrained} asks for them: config.json (its HEAD
 * fixes the commit every other file is then asked at), model.safetensors or else the index and its shards, the
 * tokenizer (tokenizer.json, else GPT-2's vocab.json and merges.txt) and the optional files of {@link HubModels}.
 */
final class HubModelFiles {

    private final HubDownload download;
    private final String revision;

    HubModelFiles(HubDownload download, String revision) {
        this.download = download;
        this.revision = revision;
    }

    /** The snapshot folder, with every needed file in it. */
    Path fetchAll() throws IOException {
        HubDownload.Fetched config = required(revision, CONFIG);
        String commit = config.commit();
        for (String file : HubModels.OPTIONAL) download.fetch(revision, commit, file);
        if (download.fetch(revision, commit, WEIGHTS).path() == null) {
            HubDownload.Fetched index = download.fetch(revision, commit, INDEX);
            if (index.path() == null) {
                throw new HubException(where() + ": the hub has neither " + WEIGHTS + " nor " + INDEX
                        + " (jtune reads safetensors weights only)");
            }
            for (String shard : HubModels.shards(index.path())) required(commit, shard);
        }
        if (download.fetch(revision, commit, TOKENIZER).path() == null) {
            boolean vocab = download.fetch(revision, commit, VOCAB).path() != null;
            boolean merges = download.fetch(revision, commit, MERGES).path() != null;
            if (!vocab || !merges) {
                throw new HubException(where() + ": the hub has no " + TOKENIZER + " (nor " + VOCAB + " and " + MERGES
                        + ")");
            }
        }
        return download.cache().snapshotDir(commit);
    }

    private HubDownload.Fetched required(String at, String file) throws IOException {
        HubDownload.Fetched fetched = download.fetch(revision, at, file);
        if (fetched.path() == null) throw new HubException(where() + ": the hub has no " + file);
        return fetched;
    }

    private String where() {
        return download.cache().repoDir().getFileName().toString().substring("models--".length()).replace("--", "/")
                + " (revision " + revision + ")";
    }
}
