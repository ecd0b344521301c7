package dev.jtune.train;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assertions.fail;

import dev.jtune.core.Tensor;
import dev.jtune.core.testing.SharedFixtures;
import dev.jtune.nn.Checkpoints;
import java.io.File;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Assumptions;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Data parallelism over MPI is exact: {@code mpirun -np 2} ({@link DataParallelRun}, the tiny GPT-2, batch 2 per rank,
 * gradient accumulation 2, random order, 22 rows so that the last micro-batch of each epoch has rows for rank 0 only)
 * trains the model that one process trains with batch 4 and accumulation 2.
 *
 * <p>Tolerance, from the order of summation only: the two ranks pad their halves of each batch to their own longest
 * row (so the attention and matmul kernels split their sums differently), each rank sums its own tokens' losses and
 * gradients before the all-reduce adds the two partial sums, where one process adds all four rows' in one pass.
 * Nothing else differs (same rows, same global token count, same clipping and AdamW), so each step's loss agrees to
 * float32 rounding (measured: 1.3e-7 relative; bound 1e-5) and the weights after 6 AdamW steps of lr 1e-3 to 7.4e-7
 * (bound 1e-4: AdamW turns a rounding difference in a near-zero gradient element into a full-size step of either sign
 * of up to lr, as {@link TrainerGoldenTest} explains, so a few elements may move by a few 1e-4; such elements are
 * counted and must be few). The ranks themselves hold bit-identical weights (one CRC).
 *
 * <p>Needs Open MPI's {@code mpirun} (skipped without it, a failure under {@code CI=true}) and {@code ../shared}.
 */
class DataParallelTest {

    @TempDir
    Path tmp;

    @Test
    void twoRanksOfBatchTwoTrainTheModelOfOneProcessOfBatchFour() throws Exception {
        Path model = SharedFixtures.file("fixtures/hf/tiny-gpt2/model");
        Path one = tmp.resolve("one"), two = tmp.resolve("two");
        DataParallelRun.run(model, one, 4, null, "none");
        Run run = mpirun(2, model, two, 2, "-", "none");
        assertEquals(0, run.exit, run.output);

        assertEquals(Files.readString(two.resolve("weights-rank-0.txt")), Files.readString(two.resolve("weights-rank-1.txt")),
                "the two ranks hold different weights");
        List<Double> lossOne = losses(one), lossTwo = losses(two);
        assertEquals(DataParallelRun.MAX_STEPS, lossOne.size());
        assertEquals(lossOne.size(), lossTwo.size());
        double worstLoss = 0;
        for (int i = 0; i < lossOne.size(); i++) {
            assertEquals(lossOne.get(i), lossTwo.get(i), 1e-5 * lossOne.get(i), "loss of step " + (i + 1));
            worstLoss = Math.max(worstLoss, Math.abs(lossOne.get(i) - lossTwo.get(i)) / lossOne.get(i));
        }
        System.out.printf("DataParallelTest, 2 ranks vs 1 process: step losses differ by at most %.3g relative%n", worstLoss);
        assertSameWeights("2 ranks vs 1 process", one.resolve("final"), two.resolve("final"));
        // every checkpoint came from rank 0 and nothing else was written
        assertEquals(List.of("checkpoint-2", "checkpoint-4", "checkpoint-6", "final", "weights-rank-0.txt", "weights-rank-1.txt"),
                list(two));
    }

    @Test
    void aRankKilledMidTrainingStopsTheJobAndOneRankResumesToTheUninterruptedWeights() throws Exception {
        Path model = SharedFixtures.file("fixtures/hf/tiny-gpt2/model");
        Path straight = tmp.resolve("straight"), killed = tmp.resolve("killed");
        Run uninterrupted = mpirun(2, model, straight, 2, "-", "none");
        assertEquals(0, uninterrupted.exit, uninterrupted.output);

        Run run = mpirun(2, model, killed, 2, "-", "kill:1:4");
        assertNotEquals(0, run.exit, run.output);
        assertTrue(run.output.contains("rank 1") && run.output.contains("signal 9"), run.output);
        assertTrue(run.seconds < 60, "the job took " + run.seconds + " s to stop");
        assertEquals(List.of("checkpoint-2"), list(killed).stream().filter(n -> n.startsWith("checkpoint")).toList());

        DataParallelRun.run(model, killed, 4, "last", "none");  // one rank, batch 4: the same global batch
        assertSameWeights("resumed on 1 rank vs 2 ranks straight", straight.resolve("final"), killed.resolve("final"));
        List<Double> lossStraight = losses(straight), lossResumed = losses(killed);
        assertEquals(lossStraight.size(), lossResumed.size());
        for (int i = 0; i < lossStraight.size(); i++) {
            assertEquals(lossStraight.get(i), lossResumed.get(i), 1e-5 * lossStraight.get(i), "loss of step " + (i + 1));
        }
    }

    @Test
    void aRankThatRaisesAbortsEveryRankNamingItselfAndTheCause() throws Exception {
        Path model = SharedFixtures.file("fixtures/hf/tiny-gpt2/model");
        Run run = mpirun(2, model, tmp.resolve("raised"), 2, "-", "raise:1:3");
        assertNotEquals(0, run.exit, run.output);
        assertTrue(run.output.contains("jtune: rank 1 of 2 failed: IllegalStateException: injected failure before step 3"),
                run.output);
        assertTrue(run.seconds < 60, "the job took " + run.seconds + " s to stop");
        assertTrue(Files.isRegularFile(tmp.resolve("raised/checkpoint-2/trainer_state.json")));
    }

    private static void assertSameWeights(String what, Path expectedDir, Path actualDir) throws IOException {
        Map<String, Tensor> expected = Checkpoints.loadTensors(expectedDir), actual = Checkpoints.loadTensors(actualDir);
        assertEquals(expected.keySet(), actual.keySet());
        double worst = 0;
        long beyond = 0, total = 0;
        for (var e : expected.entrySet()) {
            float[] a = e.getValue().toFloatArray(), b = actual.get(e.getKey()).toFloatArray();
            for (int i = 0; i < a.length; i++) {
                double d = Math.abs(a[i] - b[i]);
                worst = Math.max(worst, d);
                if (d > 1e-5) beyond++;
                total++;
            }
        }
        System.out.printf("DataParallelTest, %s: weights differ by at most %.3g; %d of %d elements by more than 1e-5%n",
                what, worst, beyond, total);
        assertTrue(worst < 1e-4, "weights differ by " + worst);
        assertTrue(beyond < total / 10_000, beyond + " of " + total + " elements differ by more than 1e-5");
    }

    private static List<Double> losses(Path out) throws IOException {
        List<Double> losses = new ArrayList<>();
        for (Map<String, Object> entry : TrainerState.load(out.resolve("final/trainer_state.json")).logHistory()) {
            if (entry.get("loss") instanceof Number loss) losses.add(loss.doubleValue());
        }
        return losses;
    }

    private static List<String> list(Path dir) throws IOException {
        try (var entries = Files.list(dir)) {
            return entries.map(p -> p.getFileName().toString()).sorted().toList();
        }
    }

    private record Run(int exit, String output, double seconds) {}

    /** {@code mpirun -np RANKS java ... DataParallelRun ARGS}, with this JVM's class path. */
    private static Run mpirun(int ranks, Path model, Path out, int batch, String resume, String fault) throws Exception {
        String mpirun = onPath("mpirun");
        if (mpirun == null) {
            String message = "mpirun not found: install Open MPI (apt-get install openmpi-bin libopenmpi-dev)";
            if ("true".equals(System.getenv("CI"))) fail(message);
            Assumptions.abort(message + "; skipping");
        }
        List<String> command = new ArrayList<>(List.of(mpirun, "--oversubscribe", "--allow-run-as-root", "-np",
                Integer.toString(ranks), Path.of(System.getProperty("java.home"), "bin", "java").toString(),
                "--add-modules", "jdk.incubator.vector", "--enable-native-access=ALL-UNNAMED", "-XX:+UseSerialGC", "-Xss8m",
                "-cp", System.getProperty("java.class.path"), DataParallelRun.class.getName(),
                model.toString(), out.toString(), Integer.toString(batch), resume, fault));
        Path log = Files.createTempFile("mpirun", ".log");
        long start = System.nanoTime();
        Process process = new ProcessBuilder(command).redirectErrorStream(true).redirectOutput(log.toFile()).start();
        if (!process.waitFor(240, TimeUnit.SECONDS)) {
            process.descendants().forEach(ProcessHandle::destroyForcibly);
            process.destroyForcibly();
            fail("mpirun did not finish in 240 s:\n" + Files.readString(log));
        }
        String output = Files.readString(log);
        Files.delete(log);
        return new Run(process.exitValue(), output, (System.nanoTime() - start) / 1e9);
    }

    private static String onPath(String program) {
        for (String dir : System.getenv().getOrDefault("PATH", "").split(File.pathSeparator)) {
            Path p = Path.of(dir, program);
            if (Files.isExecutable(p)) return p.toString();
        }
        return null;
    }
}
