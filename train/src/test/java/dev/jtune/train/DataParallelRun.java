package dev.jtune.train;

import dev.jtune.core.Generator;
import dev.jtune.nn.AutoModelForCausalLM;
import dev.jtune.nn.Parameter;
import dev.jtune.nn.PreTrainedCausalLM;
import dev.jtune.train.data.Dataset;
import dev.jtune.train.distributed.Distributed;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;

/**
 * The training run of {@link DataParallelTest}, started once per rank by {@code mpirun} (or called in the test's own
 * JVM for the single-process reference): the tiny GPT-2 on 22 random rows, random order, 6 steps, a checkpoint every
 * 2 steps. Rank 0 saves the final model in {@code OUT/final}; every rank writes the CRC of its final weights to
 * {@code OUT/weights-rank-R.txt}, so the test can check that the ranks agree bit for bit.
 *
 * <p>Arguments: {@code MODEL_DIR OUT_DIR PER_DEVICE_BATCH RESUME|- FAULT}, where FAULT is {@code none},
 * {@code kill:RANK:STEP} (SIGKILL itself before that step) or {@code raise:RANK:STEP} (throw before that step).
 */
public final class DataParallelRun {

    static final int ROWS = 22;
    static final int MAX_STEPS = 6;

    private DataParallelRun() {}

    public static void main(String[] argv) throws IOException {
        run(Path.of(argv[0]), Path.of(argv[1]), Integer.parseInt(argv[2]), argv[3].equals("-") ? null : argv[3], argv[4]);
        Distributed.finish();
    }

    static void run(Path modelDir, Path out, int perDeviceBatch, String resume, String fault) throws IOException {
        PreTrainedCausalLM model = AutoModelForCausalLM.fromPretrained(modelDir);
        TrainingArguments args = TrainingArguments.builder().outputDir(out.toString()).perDeviceTrainBatchSize(perDeviceBatch)
                .gradientAccumulationSteps(2).learningRate(1e-3).warmupSteps(1).weightDecay(0.01).maxSteps(MAX_STEPS)
                .loggingSteps(1).saveSteps(2).seed(7).dataSeed(7L).disableTqdm(true).resumeFromCheckpoint(resume).build();
        Trainer trainer = new Trainer(model, args, null, rows(model.config().vocabSize()), null, null, List.of(fault(fault)));
        trainer.train();
        trainer.saveModel(out.resolve("final"));
        if (Distributed.world().isMain()) trainer.state().save(out.resolve("final").resolve("trainer_state.json"));
        int rank = Distributed.world().rank();
        Files.writeString(out.resolve("weights-rank-" + rank + ".txt"), Long.toString(crc(model)));
    }

    /** {@value #ROWS} rows of 3..24 random ids: ragged, so each rank pads its share to its own longest row. */
    static Dataset rows(int vocab) {
        Generator g = new Generator(5);
        List<Object> ids = new ArrayList<>();
        for (int i = 0; i < ROWS; i++) {
            int[] row = new int[3 + g.nextInt(22)];
            for (int j = 0; j < row.length; j++) row[j] = g.nextInt(vocab - 1);
            ids.add(row);
        }
        return Dataset.fromColumns(Map.of("input_ids", ids));
    }

    private static TrainerCallback fault(String spec) {
        String[] parts = spec.split(":");
        if (parts[0].equals("none")) return new TrainerCallback() {};
        int rank = Integer.parseInt(parts[1]), step = Integer.parseInt(parts[2]);
        return new TrainerCallback() {
            @Override
            public void onStepBegin(TrainingArguments a, TrainerState state, TrainerControl control) {
                if (Distributed.world().rank() != rank || state.globalStep() + 1 != step) return;
                if (parts[0].equals("raise")) throw new IllegalStateException("injected failure before step " + step);
                try {
                    new ProcessBuilder("kill", "-9", Long.toString(ProcessHandle.current().pid())).inheritIO().start().waitFor();
                    Thread.sleep(60_000);
                } catch (IOException | InterruptedException e) {
                    throw new IllegalStateException(e);
                }
            }
        };
    }

    static long crc(PreTrainedCausalLM model) {
        java.util.zip.CRC32 crc = new java.util.zip.CRC32();
        for (Parameter p : model.parameters()) {
            float[] values = p.value().toFloatArray();
            java.nio.ByteBuffer bytes = java.nio.ByteBuffer.allocate(values.length * Float.BYTES);
            bytes.asFloatBuffer().put(values);
            crc.update(bytes);
        }
        return crc.getValue();
    }
}
