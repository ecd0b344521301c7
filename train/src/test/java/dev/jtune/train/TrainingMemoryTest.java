package dev.jtune.train;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.jtune.core.Generator;
import dev.jtune.core.backend.Backends;
import dev.jtune.core.memory.BufferPool;
import dev.jtune.nn.gpt2.GPT2Config;
import dev.jtune.nn.gpt2.GPT2LMHeadModel;
import dev.jtune.train.data.Dataset;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** Memory stays flat over a training run: after the first steps every buffer a step needs comes from the pool. */
class TrainingMemoryTest {

    @TempDir
    Path tmp;

    @Test
    void fiftyTrainingStepsAllocateNoNewTensorBuffersAfterTheFirstAndTheHeapDoesNotGrow() throws java.io.IOException {
        GPT2LMHeadModel model = new GPT2LMHeadModel(GPT2Config.builder().vocabSize(512).nPositions(64).nEmbd(64)
                .nLayer(2).nHead(4).dropout(0.1).build(), 5);
        TrainingArguments args = TrainingArguments.builder().outputDir(tmp.toString()).perDeviceTrainBatchSize(4)
                .gradientAccumulationSteps(2).learningRate(1e-3).maxSteps(50).saveStrategy(IntervalStrategy.NO)
                .loggingSteps(10).seed(3).disableTqdm(true).build();
        List<BufferPool.Stats> afterStep = new ArrayList<>();
        List<Long> heapAfterStep = new ArrayList<>();
        TrainerCallback probe = new TrainerCallback() {
            @Override
            public void onStepEnd(TrainingArguments a, TrainerState state, TrainerControl control) {
                afterStep.add(Backends.current().buffers().stats());
                if (state.globalStep() == 10 || state.globalStep() == 50) heapAfterStep.add(usedHeapAfterGc());
            }
        };
        new Trainer(model, args, null, rows(64, 32), null, null, List.of(probe)).train();

        assertEquals(50, afterStep.size());
        BufferPool.Stats third = afterStep.get(2), last = afterStep.get(49);
        assertTrue(last.hits() > third.hits() + 47 * 100, "steps take their buffers from the pool: " + third + " -> " + last);
        assertEquals(third.misses(), last.misses(), "no step after the second allocates a new pooled buffer");
        assertEquals(third.freshBytes(), last.freshBytes());
        assertEquals(third.cachedBytes(), last.cachedBytes(), "every step gives back what it took");
        long growth = heapAfterStep.get(1) - heapAfterStep.get(0);
        assertTrue(growth < 4 << 20, "live heap grew by " + growth + " bytes from step 10 to step 50");
    }

    /** {@code n} rows of {@code length} random ids: every batch has the same shape. */
    private static Dataset rows(int n, int length) {
        Generator g = new Generator(7);
        List<Object> ids = new ArrayList<>();
        for (int i = 0; i < n; i++) {
            int[] row = new int[length];
            for (int j = 0; j < length; j++) row[j] = g.nextInt(512);
            ids.add(row);
        }
        return Dataset.fromColumns(Map.of("input_ids", ids));
    }

    private static long usedHeapAfterGc() {
        Runtime r = Runtime.getRuntime();
        for (int i = 0; i < 3; i++) System.gc();
        return r.totalMemory() - r.freeMemory();
    }
}
