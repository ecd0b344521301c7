package dev.jtune.nn.hub;

import java.io.IOException;
import java.net.URI;
import java.net.http.HttpResponse;

/**
 * The hub answered a request with an error status. {@code X-Error-Code} (EntryNotFound, RevisionNotFound,
 * RepoNotFound, GatedRepo) says which 404 or 401 it is, and {@code X-Repo-Commit} of a 404 is the commit the file is
 * missing from.
 */
final class HttpStatusException extends IOException {

    final int status;
    final String errorCode;
    final String commit;
    final URI url;

    private HttpStatusException(int status, String errorCode, String commit, URI url, String hubMessage) {
        super(url + ": HTTP " + status + (errorCode == null ? "" : " " + errorCode)
                + (hubMessage == null ? "" : " (" + hubMessage + ")"));
        this.status = status;
        this.errorCode = errorCode;
        this.commit = commit;
        this.url = url;
    }

    static HttpStatusException of(HttpResponse<?> response, URI url) {
        var headers = response.headers();
        return new HttpStatusException(response.statusCode(), headers.firstValue("X-Error-Code").orElse(null),
                headers.firstValue("X-Repo-Commit").orElse(null), url,
                headers.firstValue("X-Error-Message").orElse(null));
    }

    /** A 404 that says the file, not the repository or revision, is missing. */
    boolean entryNotFound() {
        return status == 404 && (errorCode == null || errorCode.equals("EntryNotFound"));
    }
}
