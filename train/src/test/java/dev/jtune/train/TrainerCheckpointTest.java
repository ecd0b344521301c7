package dev.jtune.train;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertSame;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.jtune.core.Tensor;
import dev.jtune.core.io.SafetensorsWriter;
import dev.jtune.nn.AutoModelForCausalLM;
import dev.jtune.nn.Checkpoints;
import dev.jtune.nn.PreTrainedCausalLM;
import dev.jtune.train.data.DataCollatorForLanguageModeling;
import dev.jtune.train.data.Dataset;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** Checkpoints: resume equivalence, NaN handling, a write interrupted midway, rotation and the best model. */
class TrainerCheckpointTest {

    @TempDir
    Path tmp;

    private final Dataset train = TinyModels.rows(11, 12, 1);
    private final Dataset eval = TinyModels.rows(5, 12, 2);

    private TrainingArguments.Builder args(String dir) {
        return checkpointedArgs(tmp.resolve(dir));
    }

    /**
     * 11 rows, batch 2, accumulation 2: 6 micro-batches (the last has 1 row) and 3 steps (the last has 1 micro-batch);
     * warmup, weight decay, evaluation every 3 steps and a checkpoint every 2 (also LoraCheckpointTest's).
     */
    static TrainingArguments.Builder checkpointedArgs(Path dir) {
        return TrainingArguments.builder().outputDir(dir.toString()).perDeviceTrainBatchSize(2)
                .perDeviceEvalBatchSize(3).gradientAccumulationSteps(2).learningRate(1e-2).warmupSteps(2).weightDecay(0.01)
                .maxSteps(7).loggingSteps(1).evalStrategy(IntervalStrategy.STEPS).evalSteps(3).saveSteps(2).seed(11)
                .disableTqdm(true);
    }

    /** Stops training after step {@code step} (an interrupted run). */
    static TrainerCallback stopAt(int step) {
        return new TrainerCallback() {
            @Override
            public void onStepEnd(TrainingArguments a, TrainerState state, TrainerControl control) {
                if (state.globalStep() == step) control.setShouldTrainingStop(true);
            }
        };
    }

    @Test
    void resumedTrainingIsBitForBitTheSameAsTrainingStraightThrough() throws IOException {
        // Dropout 0.1, random order, warmup, weight decay and evaluation: every piece of state must come back.
        PreTrainedCausalLM straight = TinyModels.gpt2(3, 0.1);
        Trainer a = new Trainer(straight, args("a").build(), null, train, eval, TokenAccuracy::new, List.of());
        a.train();

        PreTrainedCausalLM first = TinyModels.gpt2(3, 0.1);
        new Trainer(first, args("b").build(), null, train, eval, TokenAccuracy::new, List.of(stopAt(4))).train();
        Path checkpoint = tmp.resolve("b/checkpoint-4");
        assertTrue(Files.isDirectory(checkpoint));

        PreTrainedCausalLM resumed = TinyModels.gpt2(99, 0.1);  // other initial weights: all must come from the checkpoint
        Trainer b = new Trainer(resumed, args("b").resumeFromCheckpoint(checkpoint.toString()).build(), null, train, eval,
                TokenAccuracy::new, List.of());
        b.train();

        for (var e : straight.namedParameters().entrySet()) {
            assertArrayEquals(e.getValue().value().toFloatArray(), resumed.namedParameters().get(e.getKey()).value().toFloatArray(),
                    e.getKey());
        }
        assertEquals(withoutTimings(a.state().logHistory()), withoutTimings(b.state().logHistory()));
        assertEquals(7, b.state().globalStep());
    }

    @Test
    void resumingCopiesTheWeightsIntoTheModelAndACheckpointOfAnotherModelChangesNothing() throws IOException {
        PreTrainedCausalLM saved = TinyModels.gpt2(3, 0), model = TinyModels.gpt2(99, 0);
        Checkpoints.save(saved, tmp.resolve("fits"));
        Map<String, Tensor> before = new LinkedHashMap<>();
        model.namedParameters().forEach((name, p) -> before.put(name, p.value()));
        TrainerCheckpoint.loadWeights(tmp.resolve("fits"), model);
        model.namedParameters().forEach((name, p) -> {
            assertSame(before.get(name), p.value(), name + " keeps its tensor");  // the file's buffers went to the pool
            assertArrayEquals(saved.namedParameters().get(name).value().toFloatArray(), p.value().toFloatArray(), name);
        });

        Map<String, Tensor> other = new LinkedHashMap<>(saved.stateDict());
        other.remove("transformer.h.0.mlp.c_fc.bias");
        other.put("transformer.h.0.ln_1.weight", Tensor.zeros(5));
        Files.createDirectories(tmp.resolve("other"));
        SafetensorsWriter writer = new SafetensorsWriter();
        other.forEach((name, t) -> Checkpoints.addFloats(writer, name, t));
        writer.write(tmp.resolve("other/model.safetensors"));
        float[] kept = model.namedParameters().get("transformer.wte.weight").value().toFloatArray();
        IOException e = assertThrows(IOException.class, () -> TrainerCheckpoint.loadWeights(tmp.resolve("other"), model));
        assertTrue(e.getMessage().contains("checkpoint does not fit the model: missing keys [transformer.h.0.mlp.c_fc.bias]")
                && e.getMessage().contains("transformer.h.0.ln_1.weight: checkpoint [5] vs model [8]"), e.getMessage());
        assertArrayEquals(kept, model.namedParameters().get("transformer.wte.weight").value().toFloatArray(),
                "nothing was copied");
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
    void nanLossStopsWithAClearMessageAndLeavesTheLastGoodCheckpoint() throws IOException {
        PreTrainedCausalLM model = TinyModels.gpt2(3, 0);
        TrainerCallback poison = new TrainerCallback() {
            @Override
            public void onStepEnd(TrainingArguments a, TrainerState state, TrainerControl control) {
                if (state.globalStep() == 3) {
                    var wpe = model.namedParameters().get("transformer.wpe.weight");
                    wpe.set(Tensor.full(Double.NaN, wpe.value().dtype(), wpe.shape()));
                }
            }
        };
        Trainer t = new Trainer(model, args("nan").evalStrategy(IntervalStrategy.NO).build(), null, train, null, null,
                List.of(poison));
        var e = assertThrows(NonFiniteLossException.class, t::train);
        Path good = tmp.resolve("nan/checkpoint-2");
        assertEquals(4, e.step());
        assertTrue(e.getMessage().contains("step 4") && e.getMessage().contains("loss is NaN")
                && e.getMessage().contains(good.toString()), e.getMessage());
        assertEquals(List.of(good), CheckpointIO.checkpoints(tmp.resolve("nan")));
        PreTrainedCausalLM reloaded = AutoModelForCausalLM.fromPretrained(good);
        for (var p : reloaded.parameters()) for (float v : p.value().toFloatArray()) assertTrue(Float.isFinite(v));
        var log = t.state().logHistory();
        assertEquals(3, log.getLast().get("step"), "nothing logged for the bad step");
    }

    @Test
    void aCheckpointWriteInterruptedMidwayLeavesThePreviousOneLoadableAndResumable() throws IOException {
        int[] checkpointsStarted = {0};
        CheckpointIO crashing = new CheckpointIO(file -> {
            if (file.equals("model.safetensors")) checkpointsStarted[0]++;
            if (checkpointsStarted[0] == 2 && file.equals(TrainerCheckpoint.SCHEDULER)) throw new IOException("simulated crash");
        });
        TrainingArguments arguments = args("crash").evalStrategy(IntervalStrategy.NO).build();
        PreTrainedCausalLM model = TinyModels.gpt2(3, 0);
        Trainer t = new Trainer(new CausalLMObjective(model, null), arguments,
                DataCollatorForLanguageModeling.forModel(model), train, null, List.of(), crashing);
        assertEquals("simulated crash", assertThrows(IOException.class, t::train).getMessage());

        Path out = tmp.resolve("crash");
        assertEquals(List.of(out.resolve("checkpoint-2")), CheckpointIO.checkpoints(out));
        assertFalse(Files.exists(out.resolve("checkpoint-4")));
        // A process killed mid-write leaves its temporary directory behind; it is ignored.
        Files.createDirectories(out.resolve(".tmp-checkpoint-4"));
        Files.writeString(out.resolve(".tmp-checkpoint-4/model.safetensors"), "half a file");
        assertEquals(out.resolve("checkpoint-2"), CheckpointIO.latest(out));

        AutoModelForCausalLM.fromPretrained(out.resolve("checkpoint-2"));
        PreTrainedCausalLM resumed = TinyModels.gpt2(3, 0);
        Trainer again = new Trainer(resumed, arguments.toBuilder().resumeFromCheckpoint("last").build(), null, train, null,
                null, List.of());
        assertEquals(7, again.train().globalStep());
        PreTrainedCausalLM straight = TinyModels.gpt2(3, 0);
        new Trainer(straight, args("straight").evalStrategy(IntervalStrategy.NO).build(), null, train, null, null, List.of()).train();
        for (var e : straight.namedParameters().entrySet()) {
            assertArrayEquals(e.getValue().value().toFloatArray(), resumed.namedParameters().get(e.getKey()).value().toFloatArray());
        }
    }

    @Test
    void saveTotalLimitKeepsTheBestAndTheNewestAndTheBestIsLoadedAtTheEnd() throws IOException {
        PreTrainedCausalLM model = TinyModels.gpt2(3, 0);
        TrainingArguments arguments = args("best").maxSteps(5).evalSteps(1).saveSteps(1).saveTotalLimit(2)
                .loadBestModelAtEnd(true).build();
        Trainer t = new Trainer(model, arguments, null, train, eval, null, List.of());
        t.train();
        Path out = tmp.resolve("best");
        Path best = Path.of(t.state().bestModelCheckpoint());
        List<Path> kept = CheckpointIO.checkpoints(out);
        assertTrue(kept.contains(best) && kept.contains(out.resolve("checkpoint-5")) && kept.size() <= 2, kept.toString());
        double bestLoss = t.state().logHistory().stream().filter(e -> e.containsKey("eval_loss"))
                .mapToDouble(e -> (Double) e.get("eval_loss")).min().orElseThrow();
        assertEquals(bestLoss, t.state().bestMetric());
        PreTrainedCausalLM fromBest = AutoModelForCausalLM.fromPretrained(best);
        for (var e : fromBest.namedParameters().entrySet()) {
            assertArrayEquals(e.getValue().value().toFloatArray(), model.namedParameters().get(e.getKey()).value().toFloatArray());
        }
        try (Stream<Path> files = Files.list(best)) {
            assertEquals(List.of("config.json", "data_state.json", "model.safetensors", "optimizer.safetensors",
                    "rng_state.json", "scheduler.json", "trainer_state.json", "training_args.json"),
                    files.map(p -> p.getFileName().toString()).sorted().toList());
        }
        String state = Files.readString(best.resolve("trainer_state.json"));
        for (String key : List.of("global_step", "epoch", "log_history", "best_metric", "best_model_checkpoint", "max_steps",
                "total_flos", "train_batch_size")) {
            assertTrue(state.contains("\"" + key + "\""), key);
        }
    }
}
