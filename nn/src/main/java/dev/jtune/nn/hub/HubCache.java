package dev.jtune.nn.hub;

import java.io.Closeable;
import java.io.IOException;
import java.nio.channels.FileChannel;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.nio.file.StandardOpenOption;
import java.util.regex.Pattern;

/**
 * One model repository in the Hugging Face cache, laid out as {@code huggingface_hub} lays it out:
 * <pre>
 * models--Qwen--Qwen2.5-0.5B/
 *   refs/main                      the commit the branch pointed to when last resolved
 *   blobs/&lt;etag&gt;                   file contents, named by ETag (sha256 for LFS files, git sha1 otherwise)
 *   blobs/&lt;etag&gt;.incomplete        a download in progress, resumed from its size
 *   snapshots/&lt;commit&gt;/&lt;file&gt;      relative symlinks to ../../blobs/&lt;etag&gt;
 *   .no_exist/&lt;commit&gt;/&lt;file&gt;      empty markers: the hub answered 404 for this file at this commit
 * </pre>
 * and {@code .locks/models--.../<etag>.lock} beside the repositories while a blob is written.
 */
public final class HubCache {

    private static final Pattern COMMIT = Pattern.compile("[0-9a-f]{40}");

    private final Path cacheDir;
    private final String repoId;
    private final Path repoDir;

    public HubCache(Path cacheDir, String repoId) {
        this.cacheDir = cacheDir;
        this.repoId = repoId;
        this.repoDir = cacheDir.resolve(folderName(repoId));
    }

    /** {@code models--owner--name}, the cache folder of a model repository. */
    public static String folderName(String repoId) {
        return "models--" + repoId.replace("/", "--");
    }

    /** True for a full 40-digit commit hash, which needs no {@code refs/} entry. */
    public static boolean isCommitHash(String revision) {
        return COMMIT.matcher(revision).matches();
    }

    public Path repoDir() {
        return repoDir;
    }

    /** The commit {@code revision} resolves to in the cache (the revision itself for a hash), or null when unknown. */
    public String commitOf(String revision) throws IOException {
        if (isCommitHash(revision)) return revision;
        Path ref = refFile(revision);
        return Files.isRegularFile(ref) ? Files.readString(ref).strip() : null;
    }

    /** Records that {@code revision} points to {@code commit}, unless the revision is the commit itself. */
    public void writeRef(String revision, String commit) throws IOException {
        if (revision.equals(commit)) return;
        Path ref = refFile(revision);
        if (commit.equals(commitOfQuietly(ref))) return;
        Files.createDirectories(ref.getParent());
        Files.writeString(ref, commit);
    }

    public Path snapshotDir(String commit) {
        return repoDir.resolve("snapshots").resolve(commit);
    }

    /** The snapshot's path of {@code file}; it exists when the file is cached (the link and its blob both). */
    public Path snapshotFile(String commit, String file) {
        return snapshotDir(commit).resolve(file);
    }

    public Path blob(String etag) {
        return repoDir.resolve("blobs").resolve(etag);
    }

    public Path incompleteBlob(String etag) {
        return repoDir.resolve("blobs").resolve(etag + ".incomplete");
    }

    /** True when a marker says the hub has no {@code file} at {@code commit}. */
    public boolean knownMissing(String commit, String file) {
        return Files.exists(noExist(commit, file));
    }

    /** Marks {@code file} as absent at {@code commit}, so that later resolutions need not ask again. */
    public void markMissing(String commit, String file) throws IOException {
        Path marker = noExist(commit, file);
        Files.createDirectories(marker.getParent());
        if (!Files.exists(marker)) Files.createFile(marker);
    }

    /**
     * Points {@code snapshots/<commit>/<file>} at {@code blobs/<etag>} with a relative symlink (so that the cache can be
     * moved); where the file system has no symlinks, the blob is copied there instead.
     */
    public void link(String commit, String file, String etag) throws IOException {
        Path link = snapshotFile(commit, file), blob = blob(etag);
        Files.createDirectories(link.getParent());
        Files.deleteIfExists(link);
        try {
            Files.createSymbolicLink(link, link.getParent().relativize(blob));
        } catch (UnsupportedOperationException | IOException e) {
            Files.copy(blob, link, StandardCopyOption.REPLACE_EXISTING);
        }
    }

    /**
     * Holds {@code .locks/<repo folder>/<etag>.lock} while a blob is written, so that two jtune processes do not
     * write one blob at once. (Python's {@code filelock} takes a different kind of lock on the same file.)
     */
    public Closeable lock(String etag) throws IOException {
        Path lock = cacheDir.resolve(".locks").resolve(folderName(repoId)).resolve(etag + ".lock");
        Files.createDirectories(lock.getParent());
        FileChannel channel = FileChannel.open(lock, StandardOpenOption.CREATE, StandardOpenOption.WRITE);
        try {
            channel.lock();
            return channel;  // closing the channel releases the lock
        } catch (IOException | RuntimeException e) {
            channel.close();
            throw e;
        }
    }

    private Path refFile(String revision) {
        return repoDir.resolve("refs").resolve(revision);
    }

    private Path noExist(String commit, String file) {
        return repoDir.resolve(".no_exist").resolve(commit).resolve(file);
    }

    private static String commitOfQuietly(Path ref) {
        try {
            return Files.isRegularFile(ref) ? Files.readString(ref).strip() : null;
        } catch (IOException e) {
            return null;
        }
    }
}
