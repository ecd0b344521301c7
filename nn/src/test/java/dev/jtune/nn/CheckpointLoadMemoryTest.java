package dev.jtune.nn;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.jtune.core.DType;
import dev.jtune.nn.gpt2.GPT2Config;
import dev.jtune.nn.gpt2.GPT2LMHeadModel;
import java.nio.file.Path;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Loading a checkpoint reads it into the buffers the empty model gives back, and saving writes the weights from where
 * they lie: one copy of the weights, not two.
 */
class CheckpointLoadMemoryTest {

    @Test
    void savingCopiesNoWeight(@TempDir Path dir) throws Exception {
        for (DType dtype : new DType[] {DType.F32, DType.BF16}) {
            PreTrainedCausalLM model = Layers.withParameterDtype(dtype,
                    () -> new GPT2LMHeadModel(GPT2Config.preset("gpt2-16m"), 7));
            long weightBytes = (long) dtype.byteSize() * model.numParameters();
            Path out = dir.resolve(dtype.name());
            Checkpoints.save(model, out);  // warm up

            long allocated = Allocation.of(() -> {
                Checkpoints.save(model, out);
                return out;
            }).bytes();

            assertTrue(allocated < 0.1 * weightBytes, dtype + ": saving allocated " + allocated + " bytes for "
                    + weightBytes + " bytes of weights (a copy of them would be as much)");
            assertEquals(dtype, Checkpoints.storedFloatDtype(out));
        }
    }

    @Test
    void loadingAllocatesTheWeightsOnce(@TempDir Path dir) throws Exception {
        var saved = new GPT2LMHeadModel(GPT2Config.preset("gpt2-16m"), 7);
        Checkpoints.save(saved, dir);
        long weightBytes = 4L * saved.numParameters();
        AutoModelForCausalLM.fromPretrained(dir);  // warm up: classes, the pool's first buffers of these sizes

        Allocation<PreTrainedCausalLM> load = Allocation.of(() -> AutoModelForCausalLM.fromPretrained(dir));
        PreTrainedCausalLM loaded = load.result();
        long allocated = load.bytes();

        assertTrue(allocated < 1.25 * weightBytes, "loading allocated " + allocated + " bytes for "
                + weightBytes + " bytes of weights (a second copy would be twice as much)");
        saved.namedParameters().forEach((name, p) -> assertArrayEquals(p.value().toFloatArray(),
                loaded.namedParameters().get(name).value().toFloatArray(), name));
    }
}
