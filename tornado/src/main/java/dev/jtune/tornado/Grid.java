package dev.jtune.tornado;

/**
 * The work-items of one kernel launch: global sizes (multiples of the local sizes) and work-group sizes per dimension.
 * The factories name the three launch shapes the kernels use.
 */
record Grid(long globalX, long globalY, long globalZ, int localX, int localY, int localZ) {

    /** Work-items in a work-group of the one-dimensional kernels; their local arrays have this length. */
    static final int GROUP = 128;
    /** At most this many work-groups per launch: the kernels stride over what is left. */
    private static final long MAX_GROUPS = 1 << 14;

    /**
     * Work-items that stride over {@code n} independent elements (at least one group, so n = 0 launches nothing
     * harmful).
     */
    static Grid elements(long n) {
        return groups(Math.ceilDiv(n, GROUP));
    }

    /** One work-group of {@link #GROUP} items per task (a row, an output), striding when there are very many. */
    static Grid groups(long tasks) {
        long groups = Math.clamp(tasks, 1, MAX_GROUPS);
        return new Grid(groups * GROUP, 1, 1, GROUP, 1, 1);
    }

    /**
     * One {@code side x side} work-group per {@code blockRows x blockCols} block of a batch of {@code rows x cols}
     * matrices: x over column blocks, y over row blocks, z over the batch.
     */
    static Grid blocks(int rows, int cols, int batch, int blockRows, int blockCols, int side) {
        long x = Math.max(1, Math.ceilDiv(cols, blockCols)) * (long) side;
        long y = Math.max(1, Math.ceilDiv(rows, blockRows)) * (long) side;
        return new Grid(x, y, Math.max(batch, 1), side, side, 1);
    }
}
