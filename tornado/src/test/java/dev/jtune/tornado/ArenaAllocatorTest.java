package dev.jtune.tornado;

import org.junit.jupiter.api.Test;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** The host-side bookkeeping of the arenas (no device needed). */
class ArenaAllocatorTest {

    private final ArenaAllocator arena = new ArenaAllocator("test heap", "floats", 1000, "raise it");

    @Test
    void regionsAreAlignedAndDisjoint() {
        int a = arena.allocate(1), b = arena.allocate(17), c = arena.allocate(0);
        assertEquals(0, a);
        assertEquals(16, b);
        assertEquals(48, c);
        assertEquals(64, arena.inUse());
    }

    @Test
    void freedNeighboursMergeSoTheWholeArenaIsUsableAgain() {
        int a = arena.allocate(300), b = arena.allocate(300), c = arena.allocate(300);
        arena.free(b);
        arena.free(a);
        arena.free(c);
        assertEquals(0, arena.inUse());
        assertEquals(0, arena.allocate(992));
    }

    @Test
    void firstFitReusesTheFirstHoleLargeEnough() {
        int a = arena.allocate(100);
        arena.allocate(100);
        arena.free(a);
        assertEquals(a, arena.allocate(50));
    }

    @Test
    void aFullArenaSaysWhatWasAskedTheCapacityAndTheRemedy() {
        arena.allocate(900);
        OutOfMemoryError e = assertThrows(OutOfMemoryError.class, () -> arena.allocate(200));
        assertTrue(e.getMessage().contains("200 floats") && e.getMessage().contains("1,000")
                && e.getMessage().contains("raise it"), e.getMessage());
    }

    @Test
    void freeingAnUnknownOffsetFails() {
        assertThrows(IllegalArgumentException.class, () -> arena.free(16));
    }

    @Test
    void liveRegionsNeverOverlapUnderARandomMixOfAllocationsAndFrees() {
        // A free list kept in a TreeMap once lost a block's length when the removal of a node with two children
        // moved its successor into the entry being read: regions were then handed out twice.
        ArenaAllocator arena = new ArenaAllocator("heap", "floats", 1 << 20, "");
        java.util.Random random = new java.util.Random(5);
        java.util.TreeMap<Integer, Integer> live = new java.util.TreeMap<>();  // start -> requested length
        for (int op = 0; op < 20_000; op++) {
            if (live.isEmpty() || live.size() < 300 && random.nextBoolean()) {
                int n = 1 + random.nextInt(2000);
                int start = arena.allocate(n);
                var before = live.floorEntry(start);
                var after = live.ceilingEntry(start);
                assertTrue(before == null || before.getKey() + before.getValue() <= start, "overlaps the region before");
                assertTrue(after == null || start + n <= after.getKey(), "overlaps the region after");
                live.put(start, n);
            } else {
                Integer start = live.keySet().stream().skip(random.nextInt(live.size())).findFirst().orElseThrow();
                arena.free(start);
                live.remove(start);
            }
        }
    }
}
