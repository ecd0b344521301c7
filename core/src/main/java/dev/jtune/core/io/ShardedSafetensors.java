package dev.jtune.core.io;

import com.fasterxml.jackson.core.JacksonException;
import com.fasterxml.jackson.core.StreamReadFeature;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.json.JsonMapper;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * A checkpoint split over several safetensors files by a {@code model.safetensors.index.json}: its
 * {@code weight_map} maps each tensor name to the shard file that holds it, and its optional {@code metadata} (for
 * example {@code total_size}) comes back from {@link #metadata()} as strings. {@link #open} opens every shard once and
 * checks that each mapped tensor is in its shard, so a broken checkpoint fails before anything is read.
 */
public final class ShardedSafetensors implements SafetensorsReader {

    private static final JsonMapper JSON = JsonMapper.builder()
            .enable(StreamReadFeature.STRICT_DUPLICATE_DETECTION).build();

    private final Path index;
    private final Map<String, SafetensorsFile> shardOf; // tensor name -> its shard, in index order
    private final List<SafetensorsFile> shards;
    private final Map<String, String> metadata;

    private ShardedSafetensors(Path index, Map<String, SafetensorsFile> shardOf, List<SafetensorsFile> shards,
                               Map<String, String> metadata) {
        this.index = index;
        this.shardOf = shardOf;
        this.shards = shards;
        this.metadata = metadata;
    }

    /** Reads the index, then opens and validates every shard it names (in the index's directory). */
    public static ShardedSafetensors open(Path index) throws IOException {
        JsonNode root;
        try {
            root = JSON.readTree(Files.readAllBytes(index));
        } catch (JacksonException e) {
            throw new SafetensorsException(index, "not valid JSON: " + e.getOriginalMessage(), e);
        }
        JsonNode weightMap = root == null ? null : root.get("weight_map");
        if (weightMap == null || !weightMap.isObject()) {
            throw new SafetensorsException(index, "no \"weight_map\" object");
        }
        Map<String, String> metadata = metadata(index, root.get("metadata"));
        Path dir = index.toAbsolutePath().getParent();
        Map<String, SafetensorsFile> opened = new LinkedHashMap<>();
        try {
            Map<String, SafetensorsFile> shardOf = new LinkedHashMap<>();
            for (Map.Entry<String, JsonNode> e : weightMap.properties()) {
                String name = e.getKey();
                String shardName = e.getValue().isTextual() ? e.getValue().textValue() : null;
                Path shard = shardName == null ? null : dir.resolve(shardName).normalize();
                if (shard == null || !dir.equals(shard.getParent())) {
                    throw new SafetensorsException(index, name, "weight_map value " + e.getValue()
                            + " is not the name of a file in " + dir);
                }
                if (!opened.containsKey(shardName) && !Files.isRegularFile(shard)) {
                    throw new SafetensorsException(index, name, "mapped to shard '" + shardName
                            + "', which does not exist");
                }
                SafetensorsFile file = opened.get(shardName);
                if (file == null) {
                    file = SafetensorsFile.open(shard);
                    opened.put(shardName, file);
                }
                if (!file.contains(name)) {
                    throw new SafetensorsException(index, name, "mapped to shard '" + shardName
                            + "', which has no such tensor");
                }
                shardOf.put(name, file);
            }
            return new ShardedSafetensors(index, Collections.unmodifiableMap(shardOf),
                    List.copyOf(opened.values()), metadata);
        } catch (IOException | RuntimeException | Error e) {
            opened.values().forEach(SafetensorsFile::close);
            throw e;
        }
    }

    private static Map<String, String> metadata(Path index, JsonNode node) throws SafetensorsException {
        if (node == null || node.isNull()) return Map.of();
        if (!node.isObject()) throw new SafetensorsException(index, "\"metadata\" is not a JSON object");
        Map<String, String> metadata = new LinkedHashMap<>();
        for (Map.Entry<String, JsonNode> e : node.properties()) {
            if (!e.getValue().isValueNode()) {
                throw new SafetensorsException(index, "metadata value of '" + e.getKey() + "' is not a scalar");
            }
            metadata.put(e.getKey(), e.getValue().asText());
        }
        return Collections.unmodifiableMap(metadata);
    }

    /** The index file this reads. */
    public Path index() {
        return index;
    }

    /** The shard files, each once, in the order the index first names them. */
    public List<Path> shardFiles() {
        return shards.stream().map(SafetensorsFile::file).toList();
    }

    @Override
    public List<String> names() {
        return List.copyOf(shardOf.keySet());
    }

    @Override
    public boolean contains(String name) {
        return shardOf.containsKey(name);
    }

    @Override
    public TensorInfo info(String name) throws SafetensorsException {
        return shard(name).info(name);
    }

    @Override
    public Map<String, String> metadata() {
        return metadata;
    }

    @Override
    public float[] readFloats(String name) throws SafetensorsException {
        return shard(name).readFloats(name);
    }

    @Override
    public void readFloats(String name, float[] dst) throws SafetensorsException {
        shard(name).readFloats(name, dst);
    }

    @Override
    public double[] readDoubles(String name) throws SafetensorsException {
        return shard(name).readDoubles(name);
    }

    @Override
    public int[] readInts(String name) throws SafetensorsException {
        return shard(name).readInts(name);
    }

    @Override
    public long[] readLongs(String name) throws SafetensorsException {
        return shard(name).readLongs(name);
    }

    @Override
    public short[] readShorts(String name) throws SafetensorsException {
        return shard(name).readShorts(name);
    }

    @Override
    public void readShorts(String name, short[] dst) throws SafetensorsException {
        shard(name).readShorts(name, dst);
    }

    private SafetensorsFile shard(String name) throws SafetensorsException {
        SafetensorsFile shard = shardOf.get(name);
        if (shard == null) throw new SafetensorsException(index, name, "not in the weight_map");
        return shard;
    }

    @Override
    public void close() {
        shards.forEach(SafetensorsFile::close);
    }

    @Override
    public String toString() {
        return "ShardedSafetensors[" + index + ", " + shardOf.size() + " tensors in " + shards.size() + " shards]";
    }
}
