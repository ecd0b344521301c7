package dev.jtune.nn.hub;

import com.sun.net.httpserver.HttpExchange;
import com.sun.net.httpserver.HttpServer;
import java.io.IOException;
import java.io.OutputStream;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.URI;
import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.util.ArrayList;
import java.util.Collections;
import java.util.HexFormat;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.atomic.AtomicInteger;

/**
 * A Hugging Face hub on 127.0.0.1 serving one repository the way huggingface.co answers: HEAD and GET of
 * {@code /{repo}/resolve/{revision}/{file}} with {@code X-Repo-Commit} and {@code ETag}; "LFS" files (those ending
 * in .safetensors) answered with a 302 to {@code /cdn/<sha256>} plus {@code X-Linked-Etag} and {@code X-Linked-Size};
 * 404 with {@code X-Error-Code: EntryNotFound} for absent files; Range requests answered with 206.
 */
final class FakeHub implements AutoCloseable {

    record Request(String method, String path, String range, String authorization) {}

    static final String REPO = "acme/tiny-lm";
    static final String COMMIT = "0123456789abcdef0123456789abcdef01234567";

    final Map<String, byte[]> files = new LinkedHashMap<>();
    final List<Request> requests = Collections.synchronizedList(new ArrayList<>());
    /** When set, the bearer token every hub request must carry (401 with RepoNotFound otherwise, like the hub). */
    volatile String requiredToken;
    /** The GETs of this file stop after {@link #cutAfter} bytes and drop the connection, {@link #cuts} times. */
    volatile String cutFile;
    volatile int cutAfter;
    final AtomicInteger cuts = new AtomicInteger();
    /** A size the HEAD claims instead of the true one, for LFS files (0: the true size). */
    volatile long claimedSize;

    private final HttpServer server;

    FakeHub() throws IOException {
        server = HttpServer.create(new InetSocketAddress(InetAddress.getLoopbackAddress(), 0), 0);
        server.createContext("/", this::handle);
        server.start();
    }

    URI endpoint() {
        return URI.create("http://127.0.0.1:" + server.getAddress().getPort());
    }

    void put(String name, String content) {
        files.put(name, content.getBytes(StandardCharsets.UTF_8));
    }

    long count(String method) {
        return requests.stream().filter(r -> r.method().equals(method)).count();
    }

    static boolean isLfs(String name) {
        return name.endsWith(".safetensors");
    }

    /** The ETag the hub gives: the sha256 for LFS files (as X-Linked-Etag), a 40-digit "git sha1" for others. */
    static String etag(String name, byte[] content) {
        String sha = sha256(content);
        return isLfs(name) ? sha : sha.substring(0, 40);
    }

    static String sha256(byte[] content) {
        try {
            return HexFormat.of().formatHex(MessageDigest.getInstance("SHA-256").digest(content));
        } catch (NoSuchAlgorithmException e) {
            throw new IllegalStateException(e);
        }
    }

    private void handle(HttpExchange ex) throws IOException {
        String path = ex.getRequestURI().getRawPath();
        requests.add(new Request(ex.getRequestMethod(), path, ex.getRequestHeaders().getFirst("Range"),
                ex.getRequestHeaders().getFirst("Authorization")));
        try (ex) {
            if (path.startsWith("/cdn/")) {
                cdn(ex, path.substring(5));
                return;
            }
            String prefix = "/" + REPO + "/resolve/";
            if (!path.startsWith(prefix)) {
                error(ex, 404, "RepoNotFound");
                return;
            }
            if (requiredToken != null && !("Bearer " + requiredToken).equals(ex.getRequestHeaders().getFirst("Authorization"))) {
                error(ex, 401, "RepoNotFound");
                return;
            }
            String rest = path.substring(prefix.length());
            String revision = rest.substring(0, rest.indexOf('/')), name = rest.substring(rest.indexOf('/') + 1);
            if (!revision.equals("main") && !revision.equals(COMMIT)) {
                error(ex, 404, "RevisionNotFound");
                return;
            }
            byte[] content = files.get(name);
            ex.getResponseHeaders().add("X-Repo-Commit", COMMIT);
            if (content == null) {
                error(ex, 404, "EntryNotFound");
                return;
            }
            if (isLfs(name)) {
                ex.getResponseHeaders().add("X-Linked-Etag", "\"" + etag(name, content) + "\"");
                ex.getResponseHeaders().add("X-Linked-Size", Long.toString(claimedSize > 0 ? claimedSize : content.length));
                ex.getResponseHeaders().add("ETag", "\"pointer-etag\"");
                ex.getResponseHeaders().add("Location", endpoint() + "/cdn/" + etag(name, content));
                ex.sendResponseHeaders(302, -1);
                return;
            }
            ex.getResponseHeaders().add("ETag", "\"" + etag(name, content) + "\"");
            send(ex, name, content);
        }
    }

    private void cdn(HttpExchange ex, String sha) throws IOException {
        for (Map.Entry<String, byte[]> f : files.entrySet()) {
            if (isLfs(f.getKey()) && etag(f.getKey(), f.getValue()).equals(sha)) {
                send(ex, f.getKey(), f.getValue());
                return;
            }
        }
        ex.sendResponseHeaders(404, -1);
    }

    private void send(HttpExchange ex, String name, byte[] content) throws IOException {
        if (ex.getRequestMethod().equals("HEAD")) {
            ex.getResponseHeaders().add("Content-Length", Integer.toString(content.length));
            ex.sendResponseHeaders(200, -1);
            return;
        }
        int from = 0;
        String range = ex.getRequestHeaders().getFirst("Range");
        if (range != null && range.startsWith("bytes=") && range.endsWith("-")) {
            from = Integer.parseInt(range.substring(6, range.length() - 1));
            if (from >= content.length) {
                ex.sendResponseHeaders(416, -1);
                return;
            }
            ex.getResponseHeaders().add("Content-Range", "bytes " + from + "-" + (content.length - 1) + "/" + content.length);
        }
        ex.sendResponseHeaders(from > 0 ? 206 : 200, content.length - from);
        OutputStream out = ex.getResponseBody();
        if (name.equals(cutFile) && cuts.get() > 0 && content.length - from > cutAfter) {
            cuts.decrementAndGet();
            out.write(content, from, cutAfter);
            out.flush();
            throw new IOException("fake hub: connection dropped mid-body");  // the server closes the connection
        }
        out.write(content, from, content.length - from);
    }

    private static void error(HttpExchange ex, int status, String code) throws IOException {
        ex.getResponseHeaders().add("X-Error-Code", code);
        ex.sendResponseHeaders(status, -1);
    }

    @Override
    public void close() {
        server.stop(0);
    }
}
