package dev.jtune.train.data;

import java.util.List;

/** Reads a row's token-id sequence, whatever container a loader or map function stored it in. */
public final class Sequences {

    private Sequences() {}

    /** {@code int[]}, {@code long[]} or a list of integers as {@code long[]}; the error names the column and example. */
    public static long[] toLongs(Object value, String column, int example) {
        switch (value) {
            case int[] a -> {
                long[] out = new long[a.length];
                for (int i = 0; i < a.length; i++) out[i] = a[i];
                return out;
            }
            case long[] a -> {
                return a.clone();
            }
            case List<?> list -> {
                long[] out = new long[list.size()];
                for (int i = 0; i < out.length; i++) {
                    if (!(list.get(i) instanceof Number n) || n.doubleValue() != n.longValue()) {
                        throw new IllegalArgumentException("example " + example + ": '" + column + "' value " + i
                                + " is not an integer: " + list.get(i));
                    }
                    out[i] = n.longValue();
                }
                return out;
            }
            case null, default -> throw new IllegalArgumentException("example " + example + ": '" + column
                    + "' must be an int[], long[] or list of integers, got "
                    + (value == null ? "null" : value.getClass().getSimpleName()));
        }
    }
}
