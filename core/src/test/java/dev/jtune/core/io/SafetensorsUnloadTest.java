package dev.jtune.core.io;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Random;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Reading a tensor leaves none of its bytes resident in this process's mapping of the file (Linux: the file's
 * {@code Rss} in {@code /proc/self/smaps}), so a loaded checkpoint is held once, in the arrays it was read into; a
 * second read of the same tensor maps the bytes in again and gives the same values.
 */
class SafetensorsUnloadTest {

    @Test
    void aReadTensorsBytesAreNotLeftResident(@TempDir Path dir) throws IOException {
        Path smaps = Path.of("/proc/self/smaps");
        assumeTrue(Files.isReadable(smaps), "needs Linux's /proc/self/smaps");
        int n = 8 << 20;  // 32 MiB of F32
        float[] values = new float[n];
        Random rnd = new Random(1);
        for (int i = 0; i < n; i++) values[i] = rnd.nextFloat();
        Path file = dir.resolve("big.safetensors");
        new SafetensorsWriter().addFloats("w", new long[] {n}, values)
                .addShorts("h", new long[] {n}, new short[n], dev.jtune.core.DType.BF16).write(file);
        float[] read = new float[n];
        short[] bits = new short[n];
        try (SafetensorsFile st = SafetensorsFile.open(file)) {
            st.readFloats("w", read);
            st.readShorts("h", bits);
            long residentKiB = mappedResidentKiB(smaps, file);
            assertTrue(residentKiB < 1024, residentKiB + " KiB of the 48 MiB file still resident after reading it");
            assertArrayEquals(values, read);
            assertArrayEquals(values, st.readFloats("w"), "read again");
        }
    }

    /** The resident size of this process's mappings of {@code file}, from {@code /proc/self/smaps}. */
    private static long mappedResidentKiB(Path smaps, Path file) throws IOException {
        List<String> lines = Files.readAllLines(smaps);
        String name = file.toRealPath().toString();
        long kib = 0;
        boolean inFile = false;
        for (String line : lines) {
            if (line.matches("^[0-9a-f]+-[0-9a-f]+ .*")) {  // a mapping's first line, ending in its path
                inFile = line.endsWith(" " + name);
            } else if (inFile && line.startsWith("Rss:")) {
                kib += Long.parseLong(line.replaceAll("\\D", ""));
            }
        }
        return kib;
    }
}
