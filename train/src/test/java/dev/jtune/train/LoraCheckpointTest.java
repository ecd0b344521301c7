package dev.jtune.train;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.jtune.core.DType;
import dev.jtune.core.Tensor;
import dev.jtune.nn.Checkpoints;
import dev.jtune.nn.Parameter;
import dev.jtune.nn.peft.LoraConfig;
import dev.jtune.nn.peft.PeftModel;
import dev.jtune.train.data.Dataset;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.TreeSet;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Checkpoints of a LoRA model: PEFT's adapter layout (no base weights), optimizer state for the trainable parameters
 * only, bit-exact resume, the best adapter loaded at the end, and the final adapter folder.
 */
class LoraCheckpointTest {

    @TempDir
    Path tmp;

    private final Dataset train = TinyModels.rows(11, 12, 1);
    private final Dataset eval = TinyModels.rows(5, 12, 2);

    /** LoRA with dropout on a base with dropout, a bf16 frozen base, and ln_f trained in full. */
    private static PeftModel lora(long adapterSeed) {
        LoraConfig config = LoraConfig.builder().r(4).loraAlpha(8).loraDropout(0.1).targetModules("c_attn", "c_proj")
                .modulesToSave(List.of("ln_f")).build();
        return PeftModel.getPeftModel(TinyModels.gpt2(3, 0.1), config, adapterSeed).frozenBaseTo(DType.BF16);
    }

    private TrainingArguments.Builder args(String dir) {
        return TrainerCheckpointTest.checkpointedArgs(tmp.resolve(dir));
    }

    @Test
    void resumingALoraRunFromItsAdapterCheckpointIsBitForBitTheSameAsTrainingStraightThrough() throws IOException {
        PeftModel straight = lora(0);
        Trainer a = new Trainer(straight, args("a").build(), null, train, eval, TokenAccuracy::new, List.of());
        a.train();

        PeftModel first = lora(0);
        new Trainer(first, args("b").build(), null, train, eval, TokenAccuracy::new,
                List.of(TrainerCheckpointTest.stopAt(4))).train();
        Path checkpoint = tmp.resolve("b/checkpoint-4");
        PeftModel resumed = lora(99);  // other adapter weights: all must come from the checkpoint
        Trainer b = new Trainer(resumed, args("b").resumeFromCheckpoint(checkpoint.toString()).build(), null, train, eval,
                TokenAccuracy::new, List.of());
        b.train();

        Map<String, Parameter> got = resumed.namedParameters();
        int trainable = 0;
        for (var e : straight.namedParameters().entrySet()) {
            if (e.getValue().requiresGrad()) trainable++;
            assertArrayEquals(e.getValue().value().toFloatArray(), got.get(e.getKey()).value().toFloatArray(), e.getKey());
        }
        assertEquals(3 * 2 + 2, trainable, "lora_A and lora_B of attn.c_attn, attn.c_proj, mlp.c_proj; ln_f's weight and bias");
        assertEquals(withoutTimings(a.state().logHistory()),
                withoutTimings(b.state().logHistory()));
        assertEquals(7, b.state().globalStep());
    }

    private static List<Map<String, Object>> withoutTimings(List<Map<String, Object>> history) {
        List<Map<String, Object>> out = new ArrayList<>();
        for (Map<String, Object> entry : history) {
            Map<String, Object> copy = new LinkedHashMap<>(entry);
            copy.keySet().removeIf(k -> k.endsWith("_runtime") || k.endsWith("_per_second"));
            out.add(copy);
        }
        return out;
    }

    @Test
    void aLoraCheckpointHoldsTheAdapterInPeftsLayoutAndOptimizerStateForTrainableParametersOnly() throws IOException {
        PeftModel model = lora(0);
        new Trainer(model, args("layout").evalStrategy(IntervalStrategy.NO).maxSteps(2).build(), null, train, null, null,
                List.of()).train();
        Path checkpoint = tmp.resolve("layout/checkpoint-2");
        try (Stream<Path> files = Files.list(checkpoint)) {
            assertEquals(List.of("adapter_config.json", "adapter_model.safetensors", "data_state.json",
                    "optimizer.safetensors", "rng_state.json", "scheduler.json", "trainer_state.json", "training_args.json"),
                    files.map(p -> p.getFileName().toString()).sorted().toList());
        }
        Map<String, Tensor> adapter = Checkpoints.loadFile(checkpoint.resolve(PeftModel.WEIGHTS_NAME));
        assertEquals(new TreeSet<>(model.adapterStateDict(false).keySet()), new TreeSet<>(adapter.keySet()));
        assertTrue(adapter.containsKey("base_model.model.transformer.h.0.attn.c_attn.lora_A.weight"), adapter.keySet().toString());
        Map<String, Tensor> optimizer = Checkpoints.loadFile(checkpoint.resolve(TrainerCheckpoint.OPTIMIZER));
        assertEquals(3 * model.trainableParameters().size(), optimizer.size(), optimizer.keySet().toString());
        for (String key : optimizer.keySet()) assertTrue(key.contains("lora_") || key.contains("ln_f"), key);
    }

    @Test
    void theBestAdapterIsLoadedAtTheEndAndSaveModelWritesAnAdapterFolder() throws IOException {
        PeftModel model = lora(0);
        TrainingArguments arguments = args("best").maxSteps(5).evalSteps(1).saveSteps(1).saveTotalLimit(2)
                .loadBestModelAtEnd(true).build();
        Trainer t = new Trainer(model, arguments, null, train, eval, null, List.of());
        t.train();
        Path best = Path.of(t.state().bestModelCheckpoint());
        Map<String, Tensor> saved = Checkpoints.loadFile(best.resolve(PeftModel.WEIGHTS_NAME));
        Map<String, Tensor> current = model.adapterStateDict(false);
        for (var e : saved.entrySet()) {
            assertArrayEquals(e.getValue().toFloatArray(), current.get(e.getKey()).toFloatArray(), e.getKey());
        }

        Path out = tmp.resolve("final");
        t.saveModel(out);
        assertTrue(Files.exists(out.resolve(PeftModel.CONFIG_NAME)) && Files.exists(out.resolve(PeftModel.WEIGHTS_NAME)));
        PeftModel reloaded = PeftModel.fromPretrained(TinyModels.gpt2(3, 0.1), out, false);
        Map<String, Tensor> back = reloaded.adapterStateDict(false);
        for (var e : current.entrySet()) {
            assertArrayEquals(e.getValue().toFloatArray(), back.get(e.getKey()).toFloatArray(), e.getKey());
        }
    }
}
