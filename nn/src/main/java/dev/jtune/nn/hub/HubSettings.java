package dev.jtune.nn.hub;

import java.io.IOException;
import java.net.URI;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Locale;
import java.util.Map;
import java.util.Set;

/**
 * Where the Hugging Face cache is and how to reach the hub, read from the environment variables
 * {@code huggingface_hub} reads, so that Python and jtune share one cache.
 *
 * @param cacheDir the hub cache: {@code $HF_HUB_CACHE}, else {@code $HF_HOME/hub}, else {@code ~/.cache/huggingface/hub}
 * @param endpoint {@code $HF_ENDPOINT}, default {@code https://huggingface.co}
 * @param token    {@code $HF_TOKEN}, else the token file {@code hf auth login} writes ({@code $HF_TOKEN_PATH}, else
 *                 {@code $HF_HOME/token}); null when there is none
 * @param offline  {@code HF_HUB_OFFLINE} is 1, true, on or yes: the cache only, no request
 */
public record HubSettings(Path cacheDir, URI endpoint, String token, boolean offline) {

    public static final String DEFAULT_ENDPOINT = "https://huggingface.co";
    private static final Set<String> TRUE = Set.of("1", "true", "on", "yes");

    public HubSettings {
        if (cacheDir == null) throw new IllegalArgumentException("hub settings: cacheDir is null");
        if (endpoint == null) throw new IllegalArgumentException("hub settings: endpoint is null");
        if (token != null && token.isBlank()) token = null;
    }

    /** The settings of this process's environment. */
    public static HubSettings fromEnvironment() {
        return fromEnvironment(System.getenv(), Path.of(System.getProperty("user.home")));
    }

    /** The settings an environment gives, {@code home} standing for {@code ~}. */
    public static HubSettings fromEnvironment(Map<String, String> env, Path home) {
        Path hfHome = env.containsKey("HF_HOME") ? Path.of(expand(env.get("HF_HOME"), home))
                : env.containsKey("XDG_CACHE_HOME") ? Path.of(expand(env.get("XDG_CACHE_HOME"), home), "huggingface")
                : home.resolve(".cache/huggingface");
        Path cache = env.containsKey("HF_HUB_CACHE") ? Path.of(expand(env.get("HF_HUB_CACHE"), home))
                : hfHome.resolve("hub");
        String endpoint = env.getOrDefault("HF_ENDPOINT", DEFAULT_ENDPOINT).replaceAll("/+$", "");
        String token = env.get("HF_TOKEN");
        if (token == null || token.isBlank()) {
            Path file = env.containsKey("HF_TOKEN_PATH") ? Path.of(expand(env.get("HF_TOKEN_PATH"), home))
                    : hfHome.resolve("token");
            token = readToken(file);
        }
        boolean offline = TRUE.contains(env.getOrDefault("HF_HUB_OFFLINE", "").strip().toLowerCase(Locale.ROOT));
        return new HubSettings(cache, URI.create(endpoint), token, offline);
    }

    /** The same settings with the cache only (no request), as {@code HF_HUB_OFFLINE=1}. */
    public HubSettings withOffline(boolean offline) {
        return new HubSettings(cacheDir, endpoint, token, offline);
    }

    private static String expand(String path, Path home) {
        return path.equals("~") || path.startsWith("~/") ? home + path.substring(1) : path;
    }

    private static String readToken(Path file) {
        try {
            return Files.isRegularFile(file) ? Files.readString(file).strip() : null;
        } catch (IOException e) {
            return null;  // an unreadable token file is as no token: public repositories still work
        }
    }
}
