package dev.jtune.core.io;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertInstanceOf;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** A checkpoint in two shards behind a {@code model.safetensors.index.json}, as transformers writes it. */
class ShardedSafetensorsTest {

    @TempDir
    Path dir;

    private Path index;

    @BeforeEach
    void twoShards() throws IOException {
        new SafetensorsWriter().metadata("format", "pt")
                .addFloats("a.weight", new long[] {2, 2}, new float[] {1, 2, 3, 4})
                .addFloats("a.bias", new long[] {2}, new float[] {5, 6})
                .write(dir.resolve("model-00001-of-00002.safetensors"));
        new SafetensorsWriter().metadata("format", "pt")
                .addLongs("b.ids", new long[] {3}, new long[] {7, 8, 9})
                .write(dir.resolve("model-00002-of-00002.safetensors"));
        index = writeIndex("""
                {"metadata": {"total_size": 48},
                 "weight_map": {"a.bias": "model-00001-of-00002.safetensors",
                                "a.weight": "model-00001-of-00002.safetensors",
                                "b.ids": "model-00002-of-00002.safetensors"}}""");
    }

    private Path writeIndex(String json) throws IOException {
        return Files.writeString(dir.resolve(SafetensorsReader.INDEX_FILE), json);
    }

    @Test
    void readsEveryTensorFromItsShard() throws IOException {
        try (SafetensorsReader r = SafetensorsReader.open(dir)) {
            ShardedSafetensors sharded = assertInstanceOf(ShardedSafetensors.class, r);
            assertEquals(List.of("a.bias", "a.weight", "b.ids"), r.names(), "in index order");
            assertEquals(2, sharded.shardFiles().size(), "each shard opened once");
            assertEquals(Map.of("total_size", "48"), r.metadata());
            assertArrayEquals(new float[] {1, 2, 3, 4}, r.readFloats("a.weight"));
            assertArrayEquals(new double[] {5, 6}, r.readDoubles("a.bias"));
            assertArrayEquals(new int[] {7, 8, 9}, r.readInts("b.ids"));
            assertArrayEquals(new long[] {3}, r.info("b.ids").shape());
        }
    }

    @Test
    void aShardThatDoesNotExistFailsNamingIndexTensorAndShard() throws IOException {
        writeIndex("{\"weight_map\": {\"a.bias\": \"model-00001-of-00002.safetensors\", \"c\": \"gone.safetensors\"}}");
        assertFails(index + ": tensor 'c': mapped to shard 'gone.safetensors', which does not exist");
    }

    @Test
    void aTensorMissingFromItsShardFails() throws IOException {
        writeIndex("{\"weight_map\": {\"b.ids\": \"model-00001-of-00002.safetensors\"}}");
        assertFails(index + ": tensor 'b.ids': mapped to shard 'model-00001-of-00002.safetensors', which has no such tensor");
    }

    @Test
    void aShardOutsideTheDirectoryIsRejected() throws IOException {
        writeIndex("{\"weight_map\": {\"x\": \"../elsewhere.safetensors\"}}");
        assertFails(index + ": tensor 'x': weight_map value \"../elsewhere.safetensors\" is not the name of a file in");
    }

    @Test
    void anIndexWithoutWeightMapOrNotJsonFails() throws IOException {
        writeIndex("{\"metadata\": {}}");
        assertFails(index + ": no \"weight_map\" object");
        writeIndex("{\"weight_map\": ");
        assertFails(index + ": not valid JSON");
    }

    @Test
    void aMalformedShardFailsWithTheShardsOwnError() throws IOException {
        Files.write(dir.resolve("model-00002-of-00002.safetensors"), new byte[3]);
        assertFails(dir.resolve("model-00002-of-00002.safetensors") + ": file is 3 bytes");
    }

    @Test
    void aSingleFileIsPreferredToAnIndexLikeTransformersDoes() throws IOException {
        new SafetensorsWriter().addInts("only", new long[] {1}, new int[] {1}).write(dir.resolve("model.safetensors"));
        try (SafetensorsReader r = SafetensorsReader.open(dir)) {
            assertEquals(List.of("only"), r.names());
        }
    }

    private void assertFails(String expected) {
        SafetensorsException e = assertThrows(SafetensorsException.class, () -> SafetensorsReader.open(index).close());
        assertTrue(e.getMessage().startsWith(expected), () -> "'" + expected + "' at the start of: " + e.getMessage());
    }
}
