package dev.jtune.core.io;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.jtune.core.DType;
import dev.jtune.core.testing.SharedFixtures;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Files written by the real Hugging Face stack ({@code shared/fixtures/hf}, made by {@code tools/hf_golden.py} with
 * torch 2.11 and safetensors' {@code save_file}; {@code shared/models/tweet-gpt2-small}, bf16): they load with the
 * documented shapes and values, and writing their tensors back gives the very same bytes.
 */
class SafetensorsFixturesTest {

    @TempDir
    Path dir;

    @Test
    void tinyGpt2ModelLoads() throws IOException {
        try (SafetensorsFile st = SafetensorsFile.open(SharedFixtures.file("fixtures/hf/tiny-gpt2/model/model.safetensors"))) {
            assertEquals(Map.of("format", "pt"), st.metadata());
            assertEquals(28, st.names().size(), "2 layers x 12 + wte, wpe, ln_f weight and bias; lm_head is tied");
            assertArrayEquals(new long[] {50258, 32}, st.info("transformer.wte.weight").shape());
            assertArrayEquals(new long[] {32, 96}, st.info("transformer.h.0.attn.c_attn.weight").shape(),
                    "Conv1D weights are stored [in, out]");
            for (String name : st.names()) {
                assertEquals(SafetensorsDType.F32, st.info(name).dtype());
                float[] values = st.readFloats(name);
                assertEquals(st.info(name).numel(), values.length);
                for (float v : values) assertTrue(Float.isFinite(v), name);
            }
        }
    }

    @Test
    void tinyGpt2ForwardGoldensLoad() throws IOException {
        try (SafetensorsFile st = SafetensorsFile.open(SharedFixtures.file("fixtures/hf/tiny-gpt2/forward.safetensors"))) {
            assertEquals(10.816825f, st.readFloats("loss")[0], 1e-6f);
            assertArrayEquals(new long[] {1}, st.info("loss").shape());
            assertArrayEquals(new long[] {2, 8, 50258}, st.info("logits").shape());
            assertEquals(2 * 8 * 50258, st.readFloats("logits").length);
            for (String ids : new String[] {"input_ids", "attention_mask", "labels"}) {
                assertEquals(SafetensorsDType.I64, st.info(ids).dtype());
                assertArrayEquals(new long[] {2, 8}, st.info(ids).shape());
            }
            int[] inputIds = st.readInts("input_ids");
            long[] inputIdsWide = st.readLongs("input_ids");
            for (int i = 0; i < inputIds.length; i++) {
                assertEquals(inputIdsWide[i], inputIds[i]);
                assertTrue(inputIds[i] >= 0 && inputIds[i] < 50258, "a token id");
            }
        }
    }

    @Test
    void bf16PretrainedModelLoadsExactly() throws IOException {
        try (SafetensorsFile st = SafetensorsFile.open(SharedFixtures.file("models/tweet-gpt2-small/model.safetensors"))) {
            TensorInfo wte = st.info("transformer.wte.weight");
            assertEquals(SafetensorsDType.BF16, wte.dtype());
            assertEquals(DType.BF16, wte.dtype().toDType());
            assertArrayEquals(new int[] {50257, 128}, wte.intShape());
            float[] floats = st.readFloats(wte.name());
            short[] bits = st.readShorts(wte.name());
            double[] doubles = st.readDoubles(wte.name());
            for (int i = 0; i < bits.length; i++) {
                assertEquals(bits[i] << 16, Float.floatToRawIntBits(floats[i]), "bf16 widens by a shift");
                assertEquals(floats[i], doubles[i]);
            }
            float[] gain = st.readFloats("transformer.ln_f.weight");
            double mean = 0;
            for (float g : gain) mean += g / gain.length;
            assertTrue(mean > 0.1 && mean < 10, "a trained LayerNorm gain, not garbage: " + mean);
        }
    }

    @Test
    void rewritingSaveFileOutputReproducesItByteForByte() throws IOException {
        Path f32 = SharedFixtures.file("fixtures/hf/tiny-gpt2/model/model.safetensors");
        Path bf16 = SharedFixtures.file("models/tweet-gpt2-small/model.safetensors");
        for (Path original : new Path[] {f32, bf16}) {
            Path copy = dir.resolve(original.getParent().getFileName() + ".safetensors");
            try (SafetensorsFile st = SafetensorsFile.open(original)) {
                SafetensorsWriter writer = new SafetensorsWriter();
                st.metadata().forEach(writer::metadata);
                for (String name : st.names()) {
                    TensorInfo t = st.info(name);
                    if (t.dtype() == SafetensorsDType.BF16) {
                        writer.addShorts(name, t.shape(), st.readShorts(name), DType.BF16);
                    } else {
                        writer.addFloats(name, t.shape(), st.readFloats(name));
                    }
                }
                writer.write(copy);
            }
            assertEquals(-1, Files.mismatch(original, copy), "first differing byte of " + original);
        }
    }
}
