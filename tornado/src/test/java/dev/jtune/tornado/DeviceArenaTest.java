package dev.jtune.tornado;

import org.junit.jupiter.api.Test;

import static dev.jtune.tornado.TestDevice.ARENA;
import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** Host data reaches the device heap and comes back unchanged, through every staging size and across chunks. */
class DeviceArenaTest {

    @Test
    void floatsRoundTripAtSizesAroundTheStagingSizes() {
        for (int n : new int[] {1, 7, 4096, 4097, 300_000, (1 << 22) - 100}) {
            float[] x = TestDevice.values(n, n, 1);
            int at = TestDevice.put(x);
            assertArrayEquals(x, TestDevice.get(at, n), "n = " + n);
            ARENA.free(at);
        }
    }

    @Test
    void intsRoundTrip() {
        int[] x = new int[5000];
        for (int i = 0; i < x.length; i++) x[i] = i * 7919 - 3;
        int at = ARENA.allocateInts(x.length);
        ARENA.uploadInts(x, at);
        int[] back = new int[x.length];
        ARENA.downloadInts(at, back);
        assertArrayEquals(x, back);
        ARENA.freeInts(at);
    }

    @Test
    void regionsKeepTheirContentsWhileOthersAreWritten() {
        float[] a = TestDevice.values(1, 33, 1), b = TestDevice.values(2, 257, 1);
        int atA = TestDevice.put(a), atB = TestDevice.put(b);
        assertArrayEquals(a, TestDevice.get(atA, a.length));
        assertArrayEquals(b, TestDevice.get(atB, b.length));
        ARENA.free(atA);
        ARENA.free(atB);
    }

    @Test
    void aFullHeapNamesTheSystemPropertyToRaiseIt() {
        OutOfMemoryError e = assertThrows(OutOfMemoryError.class, () -> ARENA.allocate(1L << 30));
        assertTrue(e.getMessage().contains("-D" + DeviceArena.MEMORY_PROPERTY), e.getMessage());
    }

    @Test
    void memorySizesParseLikeXmx() {
        assertEquals(512L << 20, DeviceArena.parseBytes("512m"));
        assertEquals(4L << 30, DeviceArena.parseBytes("4G"));
        assertEquals(1000, DeviceArena.parseBytes("1000"));
        assertThrows(IllegalArgumentException.class, () -> DeviceArena.parseBytes("lots"));
    }
}
