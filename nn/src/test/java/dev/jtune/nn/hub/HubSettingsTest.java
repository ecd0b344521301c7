package dev.jtune.nn.hub;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.IOException;
import java.net.URI;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** The environment variables huggingface_hub reads, read the same way (its constants.py). */
class HubSettingsTest {

    final Path home = Path.of("/home/u");

    @Test
    void cacheIsHfHubCacheElseHfHomeHubElseTheDefault() {
        assertEquals(Path.of("/c"), HubSettings.fromEnvironment(Map.of("HF_HUB_CACHE", "/c", "HF_HOME", "/h"), home).cacheDir());
        assertEquals(Path.of("/h/hub"), HubSettings.fromEnvironment(Map.of("HF_HOME", "/h"), home).cacheDir());
        assertEquals(Path.of("/x/huggingface/hub"),
                HubSettings.fromEnvironment(Map.of("XDG_CACHE_HOME", "/x"), home).cacheDir());
        assertEquals(Path.of("/home/u/.cache/huggingface/hub"), HubSettings.fromEnvironment(Map.of(), home).cacheDir());
        assertEquals(Path.of("/home/u/hf/hub"), HubSettings.fromEnvironment(Map.of("HF_HOME", "~/hf"), home).cacheDir());
    }

    @Test
    void endpointTokenAndOfflineFlag() {
        HubSettings s = HubSettings.fromEnvironment(Map.of("HF_ENDPOINT", "http://127.0.0.1:8080/", "HF_TOKEN", "hf_x",
                "HF_HUB_OFFLINE", "1"), home);
        assertEquals(URI.create("http://127.0.0.1:8080"), s.endpoint());
        assertEquals("hf_x", s.token());
        assertTrue(s.offline());
        assertEquals(URI.create("https://huggingface.co"), HubSettings.fromEnvironment(Map.of(), home).endpoint());
        for (String yes : new String[]{"1", "true", "ON", "yes"}) {
            assertTrue(HubSettings.fromEnvironment(Map.of("HF_HUB_OFFLINE", yes), home).offline(), yes);
        }
        assertFalse(HubSettings.fromEnvironment(Map.of("HF_HUB_OFFLINE", "0"), home).offline());
    }

    @Test
    void tokenFileOfHfAuthLoginIsReadWhenHfTokenIsUnset(@TempDir Path hfHome) throws IOException {
        assertNull(HubSettings.fromEnvironment(Map.of("HF_HOME", hfHome.toString()), home).token());
        Files.writeString(hfHome.resolve("token"), "hf_from_file\n");
        assertEquals("hf_from_file", HubSettings.fromEnvironment(Map.of("HF_HOME", hfHome.toString()), home).token());
        assertEquals("hf_env", HubSettings.fromEnvironment(Map.of("HF_HOME", hfHome.toString(), "HF_TOKEN", "hf_env"),
                home).token());
    }
}
