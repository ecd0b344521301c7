package dev.jtune.core.ops;

import static org.junit.jupiter.api.Assertions.fail;

import dev.jtune.core.DType;
import dev.jtune.core.Functional;
import dev.jtune.core.Generator;
import dev.jtune.core.Tensor;
import dev.jtune.core.autograd.GradCheck;
import dev.jtune.core.backend.Backend;
import dev.jtune.core.backend.Backends;
import dev.jtune.core.backend.ReferenceBackend;
import java.util.List;
import net.jqwik.api.Arbitraries;
import net.jqwik.api.Arbitrary;
import net.jqwik.api.Combinators;
import net.jqwik.api.ForAll;
import net.jqwik.api.Property;
import net.jqwik.api.Provide;

/**
 * Properties of the fused attention op ({@link Attention}): it computes the same output and gradients as its composed
 * twin on awkward shapes (Tq != Tk as with a KV cache, Tq = 1, sizes off the vector length, GQA-expanded heads, padding
 * that covers a whole row, dropout with the same seed, sliding windows), and its gradient matches float64 central
 * differences.
 */
class AttentionProperties {

    /** Parts of a case: output, dq, dk, dv, the generator's next draw. */
    private static final List<String> PARTS = List.of("out", "dq", "dk", "dv", "generator");

    @Provide
    Arbitrary<AttentionCase> cases() {
        Arbitrary<int[]> sizes = Combinators.combine(
                Arbitraries.integers().between(1, 2), Arbitraries.of(1, 2, 3), Arbitraries.of(1, 2, 3),
                Arbitraries.integers().between(1, 19), Arbitraries.integers().between(0, 21),
                Arbitraries.of(1, 7, 16, 17), Arbitraries.of(1, 8, 19))
                .as((b, kvHeads, groups, tq, extra, hs, hsv) -> new int[] {b, kvHeads * groups, kvHeads, tq, tq + extra, hs, hsv});
        return Combinators.combine(sizes, Arbitraries.of(true, false), Arbitraries.integers().between(0, 2),
                        Arbitraries.of(0.0, 0.0, 0.3), Arbitraries.of(0, 0, 1, 3, 8), Arbitraries.longs())
                .as((s, causal, padding, p, window, seed) ->
                        new AttentionCase(s[0], s[1], s[2], s[3], s[4], s[5], s[6], causal, padding, p, window, seed));
    }

    @Property(tries = 150)
    void fusedEqualsComposedInFloat64(@ForAll("cases") AttentionCase c) {
        assertClose(c, c.run(DType.F64, false), c.run(DType.F64, true), 1e-12);
    }

    @Property(tries = 150)
    void fusedEqualsComposedInFloat32(@ForAll("cases") AttentionCase c) {
        assertClose(c, c.run(DType.F32, false), c.run(DType.F32, true), 1e-5);
    }

    @Property(tries = 40)
    void fusedEqualsComposedInFloat32OnTheReferenceBackend(@ForAll("cases") AttentionCase c) {
        Backend<?> previous = Backends.use(new ReferenceBackend());
        try {
            assertClose(c, c.run(DType.F32, false), c.run(DType.F32, true), 1e-5);
        } finally {
            Backends.use(previous);
        }
    }

    @Provide
    Arbitrary<AttentionCase> smallCases() {
        Arbitrary<int[]> sizes = Combinators.combine(Arbitraries.integers().between(1, 2),
                Arbitraries.integers().between(1, 2), Arbitraries.integers().between(1, 4),
                Arbitraries.integers().between(0, 3), Arbitraries.integers().between(1, 3),
                Arbitraries.integers().between(1, 3))
                .as((b, h, tq, extra, hs, hsv) -> new int[] {b, h, tq, tq + extra, hs, hsv});
        return Combinators.combine(sizes, Arbitraries.of(true, false), Arbitraries.integers().between(0, 2),
                        Arbitraries.of(0.0, 0.4), Arbitraries.of(0, 1, 2), Arbitraries.longs())
                .as((s, causal, padding, p, window, seed) ->
                        new AttentionCase(s[0], s[1], s[1], s[2], s[3], s[4], s[5], causal, padding, p, window, seed));
    }

    @Property(tries = 40)
    void gradientMatchesNumericWithMasksAndDropout(@ForAll("smallCases") AttentionCase c) {
        Backend<?> previous = Backends.use(new ReferenceBackend());
        try {
            Generator g = new Generator(c.seed());
            Tensor q = Tensor.randn(g, DType.F64, c.b(), c.h(), c.tq(), c.hs()).requiresGrad(true);
            Tensor k = Tensor.randn(g, DType.F64, c.b(), c.h(), c.tk(), c.hs()).requiresGrad(true);
            Tensor v = Tensor.randn(g, DType.F64, c.b(), c.h(), c.tk(), c.hsv()).requiresGrad(true);
            GradCheck.check(x -> Functional.scaledDotProductAttention(x[0], x[1], x[2], c.mask(), c.causal(), 0.7,
                    c.dropoutP(), new Generator(c.seed() + 1), c.window()), q, k, v);
        } finally {
            Backends.use(previous);
        }
    }

    /** Every part within {@code rtol} relative to the largest magnitude of that part (absolute for tiny parts). */
    private static void assertClose(AttentionCase c, List<double[]> want, List<double[]> got, double rtol) {
        for (int part = 0; part < want.size(); part++) {
            double[] w = want.get(part), g = got.get(part);
            double scale = 1;
            for (double x : w) scale = Math.max(scale, Math.abs(x));
            for (int i = 0; i < w.length; i++) {
                if (!(Math.abs(w[i] - g[i]) <= rtol * scale)) {
                    fail(c + ": " + PARTS.get(part) + "[" + i + "]: composed " + w[i] + ", fused " + g[i]);
                }
            }
        }
    }
}
