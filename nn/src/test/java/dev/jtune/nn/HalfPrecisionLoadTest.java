package dev.jtune.nn;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.jtune.core.DType;
import dev.jtune.core.Tensor;
import dev.jtune.core.autograd.GradMode;
import dev.jtune.core.backend.Backends;
import dev.jtune.core.io.HalfFloats;
import dev.jtune.core.io.SafetensorsWriter;
import dev.jtune.nn.gpt2.GPT2Config;
import dev.jtune.nn.gpt2.GPT2LMHeadModel;
import dev.jtune.nn.llama.LlamaConfig;
import dev.jtune.nn.llama.LlamaForCausalLM;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Arrays;
import java.util.List;
import java.util.function.Supplier;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * A checkpoint loaded in BF16 ({@code fromPretrained(dir, BF16)}, transformers' {@code dtype=torch.bfloat16}) holds
 * the same frozen weights, bit for bit, as loading it in F32 and converting the base afterwards (what a LoRA run with a
 * bf16 base did before); when the file stores bf16 it never makes an F32 copy, and it computes the logits of its F32
 * copy bit for bit (a prompt, KV-cache decoding steps, a classifier's score), which is what lets evaluate, generate,
 * score and a frozen DPO reference hold such a checkpoint in bf16. Resizing, rounding an F32 file and a non-finite
 * bf16 weight are covered too.
 */
class HalfPrecisionLoadTest {

    private static final long[] IDS = {4, 8, 15, 16, 23, 42, 7, 1, 30, 2, 11, 50, 3, 9};

    private static LlamaConfig qwen2() {
        return LlamaConfig.builder("qwen2").vocabSize(53).hiddenSize(24).intermediateSize(40).numHiddenLayers(2)
                .numAttentionHeads(3).numKeyValueHeads(1).tieWordEmbeddings(true).maxPositionEmbeddings(64).build();
    }

    /** A random model built with its parameters in BF16 and saved: a bf16 checkpoint like the hub's. */
    private static PreTrainedCausalLM savedInBf16(Supplier<PreTrainedCausalLM> build, Path dir) throws IOException {
        PreTrainedCausalLM model = Layers.withParameterDtype(DType.BF16, build);
        model.savePretrained(dir);
        return model;
    }

    @Test
    void aBf16CheckpointLoadsAsItsBitsWithoutAnF32Copy(@TempDir Path dir) throws Exception {
        var config = GPT2Config.preset("gpt2-16m");
        PreTrainedCausalLM saved = savedInBf16(() -> new GPT2LMHeadModel(config, 7), dir);
        assertEquals(DType.BF16, Checkpoints.storedFloatDtype(dir));
        assertTrue(Files.readString(dir.resolve("config.json")).contains("\"bfloat16\""), "the config names the dtype");
        long bf16Bytes = 2L * saved.numParameters();
        AutoModelForCausalLM.fromPretrained(dir, DType.BF16);  // warm up the classes
        Backends.current().buffers().emptyCache();  // so that an F32 buffer for reading would have to be new

        Allocation<PreTrainedCausalLM> load = Allocation.of(() -> AutoModelForCausalLM.fromPretrained(dir, DType.BF16));
        PreTrainedCausalLM loaded = load.result();
        long allocated = load.bytes();

        assertTrue(allocated < 1.25 * bf16Bytes, "loading allocated " + allocated + " bytes for " + bf16Bytes
                + " bytes of bf16 weights (an F32 copy would be twice as much)");
        saved.namedParameters().forEach((name, p) -> {
            Parameter q = loaded.namedParameters().get(name);
            assertEquals(DType.BF16, q.value().dtype(), name);
            assertFalse(q.requiresGrad(), name + " is frozen");
            assertArrayEquals(bits(p.value()), bits(q.value()), name);
        });
    }

    @Test
    void loadingInBf16EqualsLoadingInF32AndConvertingTheBase(@TempDir Path dir) throws IOException {
        savedInBf16(() -> new LlamaForCausalLM(qwen2(), 3), dir);
        PreTrainedCausalLM direct = AutoModelForCausalLM.fromPretrained(dir, DType.BF16);
        PreTrainedCausalLM converted = AutoModelForCausalLM.fromPretrained(dir);
        for (Parameter p : converted.parameters()) {
            p.requiresGrad(false);
            p.set(p.value().to(DType.BF16));
        }
        converted.namedParameters().forEach((name, p) ->
                assertArrayEquals(bits(p.value()), bits(direct.namedParameters().get(name).value()), name));
        Tensor ids = Tensor.ofLongs(IDS, 2, 7);
        try (var noGrad = GradMode.noGrad()) {
            assertArrayEquals(converted.forward(ids, null, null).logits().toFloatArray(),
                    direct.forward(ids, null, null).logits().toFloatArray());
        }
    }

    /**
     * What {@code evaluate} and {@code generate} rely on to hold a bf16 checkpoint in bf16: the logits of a prompt and
     * of each decoding step with the KV cache (few rows: the matrix-vector products) are the bits the F32 copy gives.
     */
    @Test
    void aBf16CheckpointHeldInBf16ComputesTheLogitsOfItsF32Copy(@TempDir Path dir) throws IOException {
        List<Supplier<PreTrainedCausalLM>> models = List.of(
                () -> new GPT2LMHeadModel(GPT2Config.builder().vocabSize(61).nPositions(32).nEmbd(24).nLayer(2)
                        .nHead(3).build(), 11),
                () -> new LlamaForCausalLM(qwen2(), 12),  // q/k/v biases, tied head
                () -> new LlamaForCausalLM(LlamaConfig.builder().vocabSize(61).hiddenSize(32).intermediateSize(40)
                        .numHiddenLayers(2).numAttentionHeads(4).numKeyValueHeads(2).maxPositionEmbeddings(64).build(), 13));
        for (int m = 0; m < models.size(); m++) {
            Path saved = dir.resolve("model" + m);
            savedInBf16(models.get(m), saved);
            PreTrainedCausalLM f32 = AutoModelForCausalLM.fromPretrained(saved);
            PreTrainedCausalLM bf16 = AutoModelForCausalLM.fromPretrained(saved, DType.BF16);
            assertTrue(f32.parameters().stream().allMatch(p -> p.value().dtype() == DType.F32 && p.requiresGrad()));
            try (var noGrad = GradMode.noGrad()) {
                KVCache f32Cache = f32.newCache(), bf16Cache = bf16.newCache();
                Tensor ids = Tensor.ofLongs(java.util.Arrays.copyOf(IDS, 12), 2, 6);
                for (int step = 0; step < 4; step++) {
                    float[] want = f32.logits(ids, null, null, f32Cache).toFloatArray();
                    assertArrayEquals(want, bf16.logits(ids, null, null, bf16Cache).toFloatArray(),
                            "model " + m + ", step " + step);
                    ids = Tensor.ofLongs(new long[] {IDS[step], IDS[step + 5]}, 2, 1);
                }
            }
        }
    }

    @Test
    void aClassifierOnABf16BodyScoresAsItsF32Copy(@TempDir Path dir) throws IOException {
        savedInBf16(() -> new LlamaForCausalLM(qwen2(), 14), dir);  // a causal LM: the score head is drawn from the seed
        SequenceClassificationModel f32 = AutoModelForSequenceClassification.fromPretrained(dir, 1, 5);
        SequenceClassificationModel bf16 = AutoModelForSequenceClassification.fromPretrained(dir, 1, 5, DType.BF16);
        Parameter score = bf16.namedParameters().get("score.weight");
        assertEquals(DType.F32, score.value().dtype(), "the head stays F32 and trainable");
        assertTrue(score.requiresGrad());
        assertArrayEquals(f32.namedParameters().get("score.weight").value().toFloatArray(), score.value().toFloatArray());
        assertEquals(DType.BF16, bf16.namedParameters().get("model.embed_tokens.weight").value().dtype());
        Tensor ids = Tensor.ofLongs(java.util.Arrays.copyOf(IDS, 12), 1, 12);  // one row: no pad token needed
        try (var noGrad = GradMode.noGrad()) {
            assertArrayEquals(f32.logits(ids, null).toFloatArray(), bf16.logits(ids, null).toFloatArray());
        }
    }

    @Test
    void anF32CheckpointLoadedInBf16IsEachWeightRounded(@TempDir Path dir) throws IOException {
        PreTrainedCausalLM saved = new LlamaForCausalLM(qwen2(), 5);
        saved.savePretrained(dir);
        assertEquals(DType.F32, Checkpoints.storedFloatDtype(dir));
        PreTrainedCausalLM loaded = AutoModelForCausalLM.fromPretrained(dir, DType.BF16);
        saved.namedParameters().forEach((name, p) -> {
            float[] f = p.value().toFloatArray();
            short[] want = new short[f.length];
            for (int i = 0; i < f.length; i++) want[i] = HalfFloats.floatToBf16(f[i]);
            assertArrayEquals(want, bits(loaded.namedParameters().get(name).value()), name);
        });
    }

    @Test
    void resizingABf16EmbeddingGrowsByItsF32MeanAndShrinksAsIs(@TempDir Path dir) throws IOException {
        savedInBf16(() -> new LlamaForCausalLM(qwen2(), 9), dir);
        PreTrainedCausalLM bf16 = AutoModelForCausalLM.fromPretrained(dir, DType.BF16);
        PreTrainedCausalLM f32 = AutoModelForCausalLM.fromPretrained(dir);
        bf16.resizeTokenEmbeddings(60);
        f32.resizeTokenEmbeddings(60);
        Tensor want = f32.inputEmbeddings().value().to(DType.BF16), got = bf16.inputEmbeddings().value();
        assertArrayEquals(new int[] {60, 24}, got.shape());
        assertArrayEquals(bits(want), bits(got));
        assertFalse(bf16.inputEmbeddings().requiresGrad());
        bf16.resizeTokenEmbeddings(40);  // shrinking keeps the first rows as they are
        assertEquals(DType.BF16, bf16.inputEmbeddings().value().dtype());
        assertArrayEquals(Arrays.copyOf(bits(got), 40 * 24), bits(bf16.inputEmbeddings().value()));
    }

    @Test
    void aNonFiniteBf16WeightIsNamed(@TempDir Path dir) throws IOException {
        tinyCheckpointRewritten(dir, (writer, name, t, shape) -> {
            short[] b = bits(t.to(DType.BF16));
            if (name.equals("transformer.h.0.mlp.c_fc.weight")) b[5] = (short) 0xFF80;  // -inf
            writer.addShorts(name, shape, b, DType.BF16);
        });
        IOException e = assertThrows(IOException.class, () -> AutoModelForCausalLM.fromPretrained(dir, DType.BF16));
        assertTrue(e.getMessage().endsWith("tensor transformer.h.0.mlp.c_fc.weight holds -Infinity at index 5 of 256 "
                + "(a checkpoint's weights must be finite)"), e.getMessage());
        assertThrows(IllegalArgumentException.class, () -> AutoModelForCausalLM.fromPretrained(dir, DType.F64));
    }

    @Test
    void anF32WeightBeyondTheHalfTypesRangeIsNamed(@TempDir Path dir) throws IOException {
        tinyCheckpointRewritten(dir, (writer, name, t, shape) -> {
            float[] f = t.toFloatArray();
            if (name.equals("transformer.h.0.mlp.c_fc.weight")) f[3] = 70000f;  // finite in bf16, not in f16 (65504)
            writer.addFloats(name, shape, f);
        });
        assertEquals(70000f, AutoModelForCausalLM.fromPretrained(dir, DType.BF16).namedParameters()
                .get("transformer.h.0.mlp.c_fc.weight").value().to(DType.F32).toFloatArray()[3], 256f);
        IOException e = assertThrows(IOException.class, () -> AutoModelForCausalLM.fromPretrained(dir, DType.F16));
        assertTrue(e.getMessage().endsWith("tensor transformer.h.0.mlp.c_fc.weight holds 70000.0 at index 3 of 256, "
                + "beyond F16's range (a checkpoint's weights must be finite)"), e.getMessage());
    }

    /** How a test writes one tensor of a checkpoint back. */
    private interface Rewrite {
        void write(SafetensorsWriter writer, String name, Tensor t, long[] shape);
    }

    /**
     * A one-layer GPT-2 saved in {@code dir}; {@code rewrite} then writes its model.safetensors again, tensor by
     * tensor.
     */
    private static void tinyCheckpointRewritten(Path dir, Rewrite rewrite) throws IOException {
        new GPT2LMHeadModel(GPT2Config.builder().vocabSize(11).nPositions(8).nEmbd(8).nLayer(1).nHead(2).build(), 1)
                .savePretrained(dir);
        SafetensorsWriter writer = new SafetensorsWriter();
        Checkpoints.loadTensors(dir).forEach((name, t) ->
                rewrite.write(writer, name, t, Arrays.stream(t.shape()).asLongStream().toArray()));
        writer.write(dir.resolve("model.safetensors"));
    }

    /** The raw bits of a BF16 tensor, in row-major order. */
    private static short[] bits(Tensor t) {
        Tensor c = t.contiguous();
        return Arrays.copyOfRange(c.storage().halves(), c.offset(), c.offset() + c.numel());
    }
}
