package dev.jtune.nn.hub;

import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.net.URI;
import java.net.URLEncoder;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.time.Duration;
import java.util.Optional;

/**
 * The two requests {@code huggingface_hub} makes for a file, over {@link HttpClient}: a HEAD of
 * {@code {endpoint}/{repo}/resolve/{revision}/{file}} for its commit, ETag and size (without following a redirect to
 * the CDN, whose target is where the GET then goes), and a GET that writes the file to an {@code .incomplete} blob,
 * resuming with a {@code Range} request from what is already there (also when the connection drops mid-body).
 */
final class HubHttp {

    /** Reconnections with a Range request after the body stopped mid-way, within one download. */
    static final int RESUME_RETRIES = 5;
    private static final int MAX_REDIRECTS = 10;
    private static final Duration TIMEOUT = Duration.ofSeconds(10);

    private final HubSettings settings;
    private final HttpClient client;

    HubHttp(HubSettings settings) {
        this.settings = settings;
        this.client = HttpClient.newBuilder().followRedirects(HttpClient.Redirect.NEVER).connectTimeout(TIMEOUT).build();
    }

    /** The resolve URL of a file, the revision escaped whole (a branch may hold a slash) and the path per segment. */
    URI resolveUrl(String repoId, String revision, String file) {
        StringBuilder path = new StringBuilder();
        for (String segment : file.split("/")) path.append('/').append(encode(segment));
        return URI.create(settings.endpoint() + "/" + repoId + "/resolve/" + encode(revision) + path);
    }

    /**
     * The metadata of a file, or an HTTP error status as {@link HttpStatusException}. Relative redirects (a renamed
     * repository) are followed; an absolute one (an LFS file on the CDN) is where the file will be downloaded from.
     */
    FileMetadata head(URI url) throws IOException {
        URI current = url;
        for (int hop = 0; hop <= MAX_REDIRECTS; hop++) {
            HttpRequest request = request(current, true).method("HEAD", HttpRequest.BodyPublishers.noBody())
                    .header("Accept-Encoding", "identity").build();
            HttpResponse<Void> response = send(request, HttpResponse.BodyHandlers.discarding());
            int status = response.statusCode();
            Optional<String> location = response.headers().firstValue("Location");
            if (status >= 300 && status < 400 && location.isPresent() && URI.create(location.get()).getHost() == null) {
                current = current.resolve(location.get());
                continue;
            }
            if (status >= 400) throw HttpStatusException.of(response, current);
            String commit = response.headers().firstValue("X-Repo-Commit").orElse(null);
            String etag = FileMetadata.normalizeEtag(response.headers().firstValue("X-Linked-Etag")
                    .orElse(response.headers().firstValue("ETag").orElse(null)));
            long size = response.headers().firstValueAsLong("X-Linked-Size")
                    .orElse(response.headers().firstValueAsLong("Content-Length").orElse(-1));
            URI target = status >= 300 && location.isPresent() ? current.resolve(location.get()) : current;
            return new FileMetadata(commit, etag, size, target);
        }
        throw new IOException(url + ": more than " + MAX_REDIRECTS + " redirects");
    }

    /**
     * Downloads {@code url} into {@code partial}, appending to what it holds, and checks that it ends with
     * {@code size} bytes (when known). A body cut off mid-way is resumed with a Range request, up to
     * {@link #RESUME_RETRIES} times.
     */
    void download(URI url, Path partial, long size, String name, DownloadListener listener) throws IOException {
        long have = Files.exists(partial) ? Files.size(partial) : 0;
        listener.started(name, size, have);
        for (int attempt = 0; ; attempt++) {
            try {
                get(url, partial, size, name, listener);
                break;
            } catch (HttpStatusException e) {
                throw e;
            } catch (IOException e) {
                if (attempt >= RESUME_RETRIES) throw e;  // the next resolution resumes from the .incomplete file
            }
        }
        long got = Files.size(partial);
        if (size >= 0 && got != size) {
            Files.delete(partial);
            throw new HubException(name + ": consistency check failed: the file should be " + size
                    + " bytes but the download has " + got + " (from " + url + "); run again to download it anew");
        }
    }

    private void get(URI url, Path partial, long size, String name, DownloadListener listener) throws IOException {
        long have = Files.exists(partial) ? Files.size(partial) : 0;
        if (size >= 0 && have == size) return;
        if (size >= 0 && have > size) {
            Files.delete(partial);
            have = 0;
        }
        URI current = url;
        for (int hop = 0; hop <= MAX_REDIRECTS; hop++) {
            HttpRequest.Builder builder = request(current, sameHost(current, url) && isHub(current));
            if (have > 0) builder.header("Range", "bytes=" + have + "-");
            HttpResponse<InputStream> response = send(builder.GET().build(), HttpResponse.BodyHandlers.ofInputStream());
            int status = response.statusCode();
            Optional<String> location = response.headers().firstValue("Location");
            if (status >= 300 && status < 400 && location.isPresent()) {
                response.body().close();
                current = current.resolve(location.get());
                continue;
            }
            if (status == 416 && have > 0) {  // nothing after what we have: the file is complete
                response.body().close();
                return;
            }
            if (status >= 400) {
                response.body().close();
                throw HttpStatusException.of(response, current);
            }
            boolean append = status == 206;  // 200: the server ignored the Range header and sends it all
            if (!append) have = 0;
            try (InputStream in = response.body();
                 OutputStream out = Files.newOutputStream(partial, StandardOpenOption.CREATE, StandardOpenOption.WRITE,
                         append ? StandardOpenOption.APPEND : StandardOpenOption.TRUNCATE_EXISTING)) {
                byte[] buffer = new byte[1 << 16];
                for (int n; (n = in.read(buffer)) >= 0; ) {
                    out.write(buffer, 0, n);
                    have += n;
                    listener.progress(name, have);
                }
            }
            return;
        }
        throw new IOException(url + ": more than " + MAX_REDIRECTS + " redirects");
    }

    /** A request with the token when it goes to the hub itself; never to another host (the CDN's URLs are signed). */
    private HttpRequest.Builder request(URI url, boolean withToken) {
        HttpRequest.Builder builder = HttpRequest.newBuilder(url).timeout(Duration.ofSeconds(60))
                .header("User-Agent", "jtune/0.1.0; java/" + Runtime.version().feature());
        if (withToken && settings.token() != null) builder.header("Authorization", "Bearer " + settings.token());
        return builder;
    }

    private boolean isHub(URI url) {
        return sameHost(url, settings.endpoint());
    }

    private static boolean sameHost(URI a, URI b) {
        return a.getHost() != null && a.getHost().equalsIgnoreCase(b.getHost()) && a.getPort() == b.getPort();
    }

    private <T> HttpResponse<T> send(HttpRequest request, HttpResponse.BodyHandler<T> handler) throws IOException {
        try {
            return client.send(request, handler);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new IOException("interrupted while requesting " + request.uri(), e);
        }
    }

    private static String encode(String s) {
        return URLEncoder.encode(s, StandardCharsets.UTF_8).replace("+", "%20");
    }
}
