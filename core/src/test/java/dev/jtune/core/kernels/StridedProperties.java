package dev.jtune.core.kernels;

import static org.junit.jupiter.api.Assertions.assertEquals;

import java.util.ArrayList;
import java.util.List;
import net.jqwik.api.Arbitraries;
import net.jqwik.api.Arbitrary;
import net.jqwik.api.Combinators;
import net.jqwik.api.ForAll;
import net.jqwik.api.Property;
import net.jqwik.api.Provide;

/** {@link Strided#collapse} and {@link Strided#forEachRun} visit exactly the positions a naive odometer visits. */
class StridedProperties {

    /** A shape with, for each of two inputs, a stride per dim (0 = broadcast, 1 = contiguous, or arbitrary). */
    record Case(int[] shape, int[] aStrides, int[] bStrides, int start, int end) {}

    @Provide
    Arbitrary<Case> cases() {
        Arbitrary<int[]> shapes = Arbitraries.integers().between(0, 4).flatMap(rank ->
                Arbitraries.integers().between(1, 5).array(int[].class).ofSize(rank));
        return shapes.flatMap(shape -> {
            int n = Strided.numel(shape);
            Arbitrary<int[]> strides = Combinators.combine(
                    Arbitraries.of("contiguous", "broadcast-last", "random"),
                    Arbitraries.integers().between(0, 7).array(int[].class).ofSize(shape.length))
                    .as((kind, random) -> switch (kind) {
                        case "contiguous" -> contiguous(shape);
                        case "broadcast-last" -> broadcastLast(shape);
                        default -> random;
                    });
            Arbitrary<Integer> start = Arbitraries.integers().between(0, n);
            return Combinators.combine(strides, strides, start, Arbitraries.integers().between(0, n))
                    .as((as, bs, s, e) -> new Case(shape, as, bs, Math.min(s, e), Math.max(s, e)));
        });
    }

    @Property
    void runsOfTheCollapsedShapeCoverTheRangeWithTheOdometersPositions(@ForAll("cases") Case c) {
        List<int[]> want = new ArrayList<>();
        int[] idx = new int[c.shape().length];
        for (int i = 0; i < Strided.numel(c.shape()); i++) {
            int ap = 3, bp = 5;
            for (int d = 0; d < idx.length; d++) {
                ap += idx[d] * c.aStrides()[d];
                bp += idx[d] * c.bStrides()[d];
            }
            if (i >= c.start() && i < c.end()) want.add(new int[] {i, ap, bp});
            for (int d = idx.length - 1; d >= 0 && ++idx[d] == c.shape()[d]; d--) idx[d] = 0;
        }
        int[][] k = Strided.collapse(c.shape(), c.aStrides(), c.bStrides());
        int last = k[0].length - 1;
        List<int[]> got = new ArrayList<>();
        Strided.forEachRun(k[0], 3, k[1], 5, k[2], c.start(), c.end(), (o, ap, bp, len) -> {
            for (int i = 0; i < len; i++) got.add(new int[] {o + i, ap + i * k[1][last], bp + i * k[2][last]});
        });
        assertEquals(want.size(), got.size(), "number of positions");
        for (int i = 0; i < want.size(); i++) {
            assertEquals(List.of(want.get(i)[0], want.get(i)[1], want.get(i)[2]),
                    List.of(got.get(i)[0], got.get(i)[1], got.get(i)[2]), "position " + i);
        }
    }

    private static int[] contiguous(int[] shape) {
        int[] s = new int[shape.length];
        for (int d = shape.length - 1, step = 1; d >= 0; d--) {
            s[d] = step;
            step *= shape[d];
        }
        return s;
    }

    private static int[] broadcastLast(int[] shape) {
        int[] s = contiguous(shape);
        if (s.length > 0) s[s.length - 1] = 0;
        return s;
    }
}
