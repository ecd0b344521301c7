package dev.jtune.nn.hub;

import java.io.Closeable;
import java.io.IOException;
import java.net.URI;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;

/**
 * One file of one repository into the cache, as {@code huggingface_hub.hf_hub_download}: HEAD for the commit and
 * ETag, the blob downloaded unless the cache has it, the snapshot linked to it, the ref recorded.
 */
final class HubDownload {

    private final HubSettings settings;
    private final HubHttp http;
    private final HubCache cache;
    private final String repoId;
    private final DownloadListener listener;

    HubDownload(HubSettings settings, String repoId, DownloadListener listener) {
        this.settings = settings;
        this.http = new HubHttp(settings);
        this.cache = new HubCache(settings.cacheDir(), repoId);
        this.repoId = repoId;
        this.listener = listener;
    }

    HubCache cache() {
        return cache;
    }

    /** The result of asking for a file: its snapshot path, or null when the hub has no such file. */
    record Fetched(String commit, Path path) {}

    /**
     * The cached file at {@code revision}, downloaded first when needed; a null path when the hub answers that the
     * file does not exist (which is remembered under {@code .no_exist}).
     *
     * @param refName the branch or tag the user named ({@code revision} may already be its commit): its ref is written
     */
    Fetched fetch(String refName, String revision, String file) throws IOException {
        URI url = http.resolveUrl(repoId, revision, file);
        FileMetadata meta;
        try {
            meta = http.head(url);
        } catch (HttpStatusException e) {
            if (!e.entryNotFound()) throw explain(e, revision, file);
            if (e.commit != null) {
                cache.writeRef(refName, e.commit);
                cache.markMissing(e.commit, file);
            }
            return new Fetched(e.commit, null);
        }
        if (meta.commit() == null || meta.etag() == null) {
            throw new HubException(url + ": the answer has no " + (meta.commit() == null ? "X-Repo-Commit" : "ETag")
                    + " header: is " + settings.endpoint() + " a Hugging Face hub (HF_ENDPOINT)?");
        }
        cache.writeRef(refName, meta.commit());
        Path blob = cache.blob(meta.etag());
        if (!Files.exists(blob)) {
            try (Closeable lock = cache.lock(meta.etag())) {
                if (!Files.exists(blob)) {
                    Path partial = cache.incompleteBlob(meta.etag());
                    Files.createDirectories(partial.getParent());
                    http.download(meta.location(), partial, meta.size(), file, listener);
                    Files.move(partial, blob, StandardCopyOption.ATOMIC_MOVE);
                    listener.finished(file);
                }
            } catch (HttpStatusException e) {
                throw explain(e, revision, file);
            }
        }
        if (!Files.exists(cache.snapshotFile(meta.commit(), file))) cache.link(meta.commit(), file, meta.etag());
        return new Fetched(meta.commit(), cache.snapshotFile(meta.commit(), file));
    }

    /** One line for an error status: what the status means for the user and what to do. */
    HubException explain(HttpStatusException e, String revision, String file) {
        String where = repoId + " (revision " + revision + ")";
        String token = settings.token() == null ? "no HF_TOKEN is set: set HF_TOKEN to a token that can read it"
                : "the HF_TOKEN sent was refused or cannot read it";
        String message = switch (e.status) {
            case 401 -> where + ": the hub answered 401 Unauthorized for " + file + ": the repository is private, gated "
                    + "or does not exist, and " + token + " (https://huggingface.co/settings/tokens)";
            case 403 -> where + ": the hub answered 403 Forbidden for " + file + ("GatedRepo".equals(e.errorCode)
                    ? ": the model is gated: accept its conditions on its page with the account of HF_TOKEN"
                    : ": " + token);
            case 404 -> "RevisionNotFound".equals(e.errorCode) ? repoId + ": no revision '" + revision + "' on the hub"
                    : "RepoNotFound".equals(e.errorCode) ? repoId + ": no such repository on " + settings.endpoint()
                    : where + ": the hub has no " + file;
            default -> where + ": downloading " + file + " failed: " + e.getMessage();
        };
        return new HubException(message, e);
    }
}
