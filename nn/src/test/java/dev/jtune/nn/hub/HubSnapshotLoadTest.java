package dev.jtune.nn.hub;

import static org.junit.jupiter.api.Assertions.assertEquals;

import dev.jtune.core.testing.SharedFixtures;
import dev.jtune.nn.AutoModelForCausalLM;
import dev.jtune.nn.PreTrainedCausalLM;
import dev.jtune.tokenizer.AutoTokenizer;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** A model downloaded into the cache loads through its snapshot links as from a plain folder. */
class HubSnapshotLoadTest {

    @Test
    void theTinyLlamaFixtureServedByAFakeHubLoadsFromItsSnapshot(@TempDir Path cache) throws IOException {
        Path source = SharedFixtures.file("fixtures/hf/tiny-llama/model");
        try (FakeHub hub = new FakeHub(); Stream<Path> files = Files.list(source)) {
            for (Path f : files.toList()) hub.files.put(f.getFileName().toString(), Files.readAllBytes(f));
            Path snapshot = HubModels.resolve(FakeHub.REPO, "main", new HubSettings(cache, hub.endpoint(), null, false),
                    DownloadListener.NONE);
            PreTrainedCausalLM fromHub = AutoModelForCausalLM.fromPretrained(snapshot);
            PreTrainedCausalLM fromFolder = AutoModelForCausalLM.fromPretrained(source);
            assertEquals(fromFolder.numParameters(), fromHub.numParameters());
            assertEquals(AutoTokenizer.fromPretrained(source).size(), AutoTokenizer.fromPretrained(snapshot).size());
        }
    }
}
