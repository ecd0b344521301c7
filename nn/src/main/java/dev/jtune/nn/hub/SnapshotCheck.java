package dev.jtune.nn.hub;

import static dev.jtune.nn.hub.HubModels.CONFIG;
import static dev.jtune.nn.hub.HubModels.INDEX;
import static dev.jtune.nn.hub.HubModels.MERGES;
import static dev.jtune.nn.hub.HubModels.TOKENIZER;
import static dev.jtune.nn.hub.HubModels.VOCAB;
import static dev.jtune.nn.hub.HubModels.WEIGHTS;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;

/** Whether a cached snapshot holds what a causal LM needs, and whether it is complete enough to skip the hub. */
final class SnapshotCheck {

    private SnapshotCheck() {}

    /** The first needed file the snapshot lacks (config, weights with every shard, tokenizer), or null. */
    static String missing(HubCache cache, String commit) {
        Path dir = cache.snapshotDir(commit);
        if (!Files.exists(dir.resolve(CONFIG))) return CONFIG;
        if (!Files.exists(dir.resolve(WEIGHTS))) {
            if (!Files.exists(dir.resolve(INDEX))) return WEIGHTS + " (or " + INDEX + ")";
            try {
                for (String shard : HubModels.shards(dir.resolve(INDEX))) {
                    if (!Files.exists(dir.resolve(shard))) return shard;
                }
            } catch (IOException e) {
                return INDEX + " (unreadable: " + e.getMessage() + ")";
            }
        }
        if (!Files.exists(dir.resolve(TOKENIZER)) && !(Files.exists(dir.resolve(VOCAB))
                && Files.exists(dir.resolve(MERGES)))) {
            return TOKENIZER;
        }
        return null;
    }

    /** Every needed file is there, and every optional one is there or known to be missing on the hub. */
    static boolean complete(HubCache cache, String commit) {
        if (missing(cache, commit) != null) return false;
        for (String file : HubModels.OPTIONAL) {
            if (!Files.exists(cache.snapshotFile(commit, file)) && !cache.knownMissing(commit, file)) return false;
        }
        return true;
    }
}
