package dev.jtune.nn.hub;

import java.net.URI;

/**
 * What a HEAD request of {@code /{repo}/resolve/{revision}/{file}} tells about a file, as {@code huggingface_hub}'s
 * {@code get_hf_file_metadata} reads it.
 *
 * @param commit   the commit the revision points to ({@code X-Repo-Commit})
 * @param etag     the blob name: {@code X-Linked-Etag} (the sha256 of an LFS file) else {@code ETag} (a git blob
 *                 sha1), without quotes or {@code W/}
 * @param size     the file's size in bytes: {@code X-Linked-Size} else {@code Content-Length}; -1 when unknown
 * @param location where to GET the file: the CDN the hub redirects an LFS file to, else the resolve URL
 */
public record FileMetadata(String commit, String etag, long size, URI location) {

    /** The ETag header's value as a file name: {@code W/"abc"} and {@code "abc"} both become {@code abc}. */
    static String normalizeEtag(String etag) {
        if (etag == null) return null;
        String e = etag.strip();
        if (e.startsWith("W/")) e = e.substring(2);
        return e.replace("\"", "");
    }
}
