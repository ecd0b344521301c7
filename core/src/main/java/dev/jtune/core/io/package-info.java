/**
 * Safetensors checkpoints: {@link dev.jtune.core.io.SafetensorsFile} reads one memory-mapped file,
 * {@link dev.jtune.core.io.ShardedSafetensors} a {@code model.safetensors.index.json} and its shards (both behind
 * {@link dev.jtune.core.io.SafetensorsReader}), and {@link dev.jtune.core.io.SafetensorsWriter} writes a file
 * atomically. This package knows shapes, dtypes and primitive arrays only, never {@code Tensor}.
 *
 * <p>The format: an 8-byte little-endian header length {@code N}, {@code N} bytes of UTF-8 JSON mapping each tensor
 * name to {@code {"dtype", "shape", "data_offsets": [begin, end]}} (plus an optional string-to-string
 * {@code "__metadata__"}), then the data area: little-endian, row-major tensor data, offsets relative to its start.
 */
package dev.jtune.core.io;
