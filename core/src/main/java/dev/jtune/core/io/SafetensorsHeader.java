package dev.jtune.core.io;

import com.fasterxml.jackson.core.JacksonException;
import com.fasterxml.jackson.core.StreamReadFeature;
import com.fasterxml.jackson.databind.DeserializationFeature;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.json.JsonMapper;
import java.io.IOException;
import java.lang.foreign.MemorySegment;
import java.lang.foreign.ValueLayout;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.Collections;
import java.util.Comparator;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * The parsed and validated header of one safetensors file. Validation follows the reference implementation: the
 * header fits the file, is a JSON object without duplicate keys, every tensor has a known dtype, a non-negative
 * shape and data offsets whose span is exactly {@code numel * dtype size}, and the tensors, sorted by offset, tile the
 * data area from its first byte to the end of the file with neither gaps nor overlaps.
 *
 * @param tensors   in the order of their data
 * @param dataStart the file offset of the data area
 */
record SafetensorsHeader(List<TensorInfo> tensors, Map<String, String> metadata, long dataStart) {

    /** The reference implementation's limit, which keeps a corrupt length from allocating gigabytes. */
    static final long MAX_HEADER_BYTES = 100_000_000;
    static final String METADATA_KEY = "__metadata__";

    private static final JsonMapper JSON = JsonMapper.builder()
            .enable(StreamReadFeature.STRICT_DUPLICATE_DETECTION)
            .enable(DeserializationFeature.FAIL_ON_TRAILING_TOKENS)
            .build();

    /** Parses and validates the header at the start of {@code content}, the whole file. */
    static SafetensorsHeader parse(Path file, MemorySegment content) throws SafetensorsException {
        long size = content.byteSize();
        if (size < 8) {
            throw new SafetensorsException(file, "file is " + size + " bytes, too short for the 8-byte header length");
        }
        long n = content.get(TensorDecoder.LONG, 0);
        if (n < 0 || n > MAX_HEADER_BYTES) {
            throw new SafetensorsException(file, "header length " + Long.toUnsignedString(n)
                    + " is over the limit of " + MAX_HEADER_BYTES + " bytes");
        }
        if (n > size - 8) {
            throw new SafetensorsException(file, "header length " + n + " runs past the end of the file ("
                    + size + " bytes)");
        }
        JsonNode root;
        try {
            root = JSON.readTree(content.asSlice(8, n).toArray(ValueLayout.JAVA_BYTE));
        } catch (JacksonException e) {
            throw new SafetensorsException(file, "header is not valid JSON: " + e.getOriginalMessage(), e);
        } catch (IOException e) {
            throw new SafetensorsException(file, "header cannot be read: " + e.getMessage(), e);
        }
        if (root == null || !root.isObject()) {
            throw new SafetensorsException(file, "header is not a JSON object");
        }
        long dataSize = size - 8 - n;
        Map<String, String> metadata = Map.of();
        List<TensorInfo> tensors = new ArrayList<>();
        for (Map.Entry<String, JsonNode> field : root.properties()) {
            if (field.getKey().equals(METADATA_KEY)) {
                metadata = metadata(file, field.getValue());
            } else {
                tensors.add(entry(file, field.getKey(), field.getValue(), dataSize));
            }
        }
        tensors.sort(Comparator.comparingLong(TensorInfo::begin).thenComparingLong(TensorInfo::end));
        checkTiling(file, tensors, dataSize);
        return new SafetensorsHeader(List.copyOf(tensors), metadata, 8 + n);
    }

    private static Map<String, String> metadata(Path file, JsonNode node) throws SafetensorsException {
        if (!node.isObject()) {
            throw new SafetensorsException(file, METADATA_KEY + " is not a JSON object of strings");
        }
        Map<String, String> metadata = new LinkedHashMap<>();
        for (Map.Entry<String, JsonNode> e : node.properties()) {
            if (!e.getValue().isTextual()) {
                throw new SafetensorsException(file, METADATA_KEY + " value of '" + e.getKey()
                        + "' is not a string: " + e.getValue());
            }
            metadata.put(e.getKey(), e.getValue().textValue());
        }
        return Collections.unmodifiableMap(metadata);
    }

    private static TensorInfo entry(Path file, String name, JsonNode node, long dataSize)
            throws SafetensorsException {
        if (!node.isObject()) {
            throw new SafetensorsException(file, name, "entry is not a JSON object: " + node);
        }
        JsonNode dtypeNode = node.get("dtype");
        SafetensorsDType dtype = dtypeNode != null && dtypeNode.isTextual()
                ? SafetensorsDType.fromHeaderName(dtypeNode.textValue()) : null;
        if (dtypeNode == null) throw new SafetensorsException(file, name, "no dtype");
        if (dtype == null) {
            throw new SafetensorsException(file, name, "unsupported dtype " + dtypeNode + " (supported: "
                    + Arrays.toString(SafetensorsDType.values()) + ")");
        }
        long[] shape = naturals(node.get("shape"), -1);
        if (shape == null) {
            throw new SafetensorsException(file, name, "shape is not an array of non-negative integers: "
                    + node.get("shape"));
        }
        long[] offsets = naturals(node.get("data_offsets"), 2);
        if (offsets == null) {
            throw new SafetensorsException(file, name, "data_offsets is not a pair of non-negative integers: "
                    + node.get("data_offsets"));
        }
        long begin = offsets[0], end = offsets[1];
        String span = "data_offsets [" + begin + ", " + end + "]";
        if (begin > end) {
            throw new SafetensorsException(file, name, span + ": begin is after end");
        }
        if (end > dataSize) {
            throw new SafetensorsException(file, name, span + " reach past the end of the data area ("
                    + dataSize + " bytes)");
        }
        long bytes = product(shape, dtype.byteSize());
        if (bytes != end - begin) {
            throw new SafetensorsException(file, name, "shape " + Arrays.toString(shape) + " of " + dtype + " needs "
                    + (bytes < 0 ? "more than 2^63" : bytes) + " bytes but " + span + " span " + (end - begin));
        }
        return new TensorInfo(name, dtype, shape, begin, end);
    }

    /** The integers of a JSON array (of {@code length} elements unless negative), or null if it is not one. */
    private static long[] naturals(JsonNode node, int length) {
        if (node == null || !node.isArray() || (length >= 0 && node.size() != length)) return null;
        long[] values = new long[node.size()];
        for (int i = 0; i < values.length; i++) {
            JsonNode v = node.get(i);
            if (!v.isIntegralNumber() || !v.canConvertToLong() || v.longValue() < 0) return null;
            values[i] = v.longValue();
        }
        return values;
    }

    /** {@code start * product(shape)}, or -1 when a partial product overflows a long (as the reference rejects). */
    static long product(long[] shape, long start) {
        try {
            long p = start;
            for (long d : shape) p = Math.multiplyExact(p, d);
            return p;
        } catch (ArithmeticException overflow) {
            return -1;
        }
    }

    /** The tensors, sorted by offset, must cover {@code [0, dataSize)} exactly once. */
    private static void checkTiling(Path file, List<TensorInfo> sorted, long dataSize) throws SafetensorsException {
        long covered = 0;
        TensorInfo previous = null;
        for (TensorInfo t : sorted) {
            String span = "data_offsets [" + t.begin() + ", " + t.end() + "]";
            if (t.begin() < covered) {
                throw new SafetensorsException(file, t.name(), span + " overlap tensor '" + previous.name()
                        + "' at [" + previous.begin() + ", " + previous.end() + "]");
            }
            if (t.begin() > covered) {
                throw new SafetensorsException(file, t.name(), span + " leave a gap of " + (t.begin() - covered)
                        + " bytes after " + (previous == null ? "the start of the data area"
                        : "tensor '" + previous.name() + "'"));
            }
            covered = t.end();
            previous = t;
        }
        if (covered != dataSize) {
            throw new SafetensorsException(file, "the data area has " + dataSize + " bytes but the tensors cover "
                    + covered + (previous == null ? "" : " (the last is '" + previous.name() + "')"));
        }
    }
}
