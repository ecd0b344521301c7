package dev.jtune.core.ops;

import static dev.jtune.core.testing.TensorArbitraries.awayFromZero;
import static dev.jtune.core.testing.TensorArbitraries.randn;
import static dev.jtune.core.testing.TensorArbitraries.uniform;

import dev.jtune.core.DType;
import dev.jtune.core.Functional;
import dev.jtune.core.Generator;
import dev.jtune.core.Tensor;
import dev.jtune.core.autograd.GradCheck;
import dev.jtune.core.backend.Backends;
import dev.jtune.core.backend.ReferenceBackend;
import dev.jtune.core.ops.Losses.Reduction;
import dev.jtune.core.testing.TensorArbitraries;
import java.util.List;
import net.jqwik.api.Arbitrary;
import net.jqwik.api.ForAll;
import net.jqwik.api.Property;
import net.jqwik.api.Provide;
import net.jqwik.api.constraints.IntRange;
import net.jqwik.api.lifecycle.AfterProperty;
import net.jqwik.api.lifecycle.BeforeProperty;

/**
 * Property: for every differentiable op, on random shapes (size-1 and broadcast dims included), the analytic gradient
 * equals float64 central differences ({@link GradCheck}) on the reference backend.
 */
class GradientProperties {

    private dev.jtune.core.backend.Backend<?> previous;

    @BeforeProperty
    void useReference() {
        previous = Backends.use(new ReferenceBackend());
    }

    @AfterProperty
    void restore() {
        Backends.use(previous);
    }

    @Provide
    Arbitrary<int[][]> pairs() {
        return TensorArbitraries.broadcastPairs(3, 3);
    }

    @Provide
    Arbitrary<int[]> shapes() {
        return TensorArbitraries.shapes(1, 3, 4);
    }

    // ------------------------------------------------------------------ binary arithmetic with broadcasting

    @Property(tries = 30)
    void addGradientMatchesNumeric(@ForAll("pairs") int[][] s, @ForAll long seed) {
        GradCheck.check(x -> x[0].add(x[1]), randn(seed, s[0]), randn(seed + 1, s[1]));
    }

    @Property(tries = 30)
    void subGradientMatchesNumeric(@ForAll("pairs") int[][] s, @ForAll long seed) {
        GradCheck.check(x -> x[0].sub(x[1]), randn(seed, s[0]), randn(seed + 1, s[1]));
    }

    @Property(tries = 30)
    void mulGradientMatchesNumeric(@ForAll("pairs") int[][] s, @ForAll long seed) {
        GradCheck.check(x -> x[0].mul(x[1]), randn(seed, s[0]), randn(seed + 1, s[1]));
    }

    @Property(tries = 30)
    void divGradientMatchesNumeric(@ForAll("pairs") int[][] s, @ForAll long seed) {
        GradCheck.check(x -> x[0].div(x[1]), randn(seed, s[0]), awayFromZero(seed + 1, s[1]));
    }

    @Property(tries = 30)
    void powGradientMatchesNumericForBothOperands(@ForAll("pairs") int[][] s, @ForAll long seed) {
        GradCheck.check(x -> x[0].pow(x[1]), uniform(seed, 0.5, 2, s[0]), uniform(seed + 1, -1.5, 1.5, s[1]));
    }

    @Property(tries = 30)
    void powScalarGradientMatchesNumeric(@ForAll("shapes") int[] shape, @ForAll long seed) {
        GradCheck.check(x -> x[0].pow(3), randn(seed, shape));
    }

    @Property(tries = 30)
    void maximumGradientMatchesNumeric(@ForAll("pairs") int[][] s, @ForAll long seed) {
        GradCheck.check(x -> x[0].maximum(x[1]), randn(seed, s[0]), randn(seed + 7, s[1]));
    }

    @Property(tries = 30)
    void minimumGradientMatchesNumeric(@ForAll("pairs") int[][] s, @ForAll long seed) {
        GradCheck.check(x -> x[0].minimum(x[1]), randn(seed, s[0]), randn(seed + 7, s[1]));
    }

    // ------------------------------------------------------------------ pointwise

    @Property(tries = 20)
    void negGradientMatchesNumeric(@ForAll("shapes") int[] shape, @ForAll long seed) {
        GradCheck.check(x -> x[0].neg(), randn(seed, shape));
    }

    @Property(tries = 20)
    void expGradientMatchesNumeric(@ForAll("shapes") int[] shape, @ForAll long seed) {
        GradCheck.check(x -> x[0].exp(), randn(seed, shape));
    }

    @Property(tries = 20)
    void tanhGradientMatchesNumeric(@ForAll("shapes") int[] shape, @ForAll long seed) {
        GradCheck.check(x -> x[0].tanh(), randn(seed, shape));
    }

    @Property(tries = 20)
    void sigmoidGradientMatchesNumeric(@ForAll("shapes") int[] shape, @ForAll long seed) {
        GradCheck.check(x -> x[0].sigmoid(), randn(seed, shape));
    }

    @Property(tries = 20)
    void geluGradientMatchesNumeric(@ForAll("shapes") int[] shape, @ForAll long seed) {
        GradCheck.check(x -> x[0].gelu(), randn(seed, shape));
    }

    @Property(tries = 20)
    void geluTanhGradientMatchesNumeric(@ForAll("shapes") int[] shape, @ForAll long seed) {
        GradCheck.check(x -> x[0].gelu("tanh"), randn(seed, shape));
    }

    @Property(tries = 20)
    void siluGradientMatchesNumeric(@ForAll("shapes") int[] shape, @ForAll long seed) {
        GradCheck.check(x -> x[0].silu(), randn(seed, shape));
    }

    @Property(tries = 20)
    void logGradientMatchesNumeric(@ForAll("shapes") int[] shape, @ForAll long seed) {
        GradCheck.check(x -> x[0].log(), uniform(seed, 0.3, 3, shape));
    }

    @Property(tries = 20)
    void sqrtGradientMatchesNumeric(@ForAll("shapes") int[] shape, @ForAll long seed) {
        GradCheck.check(x -> x[0].sqrt(), uniform(seed, 0.3, 3, shape));
    }

    @Property(tries = 20)
    void rsqrtGradientMatchesNumeric(@ForAll("shapes") int[] shape, @ForAll long seed) {
        GradCheck.check(x -> x[0].rsqrt(), uniform(seed, 0.3, 3, shape));
    }

    @Property(tries = 20)
    void absGradientMatchesNumericAwayFromZero(@ForAll("shapes") int[] shape, @ForAll long seed) {
        GradCheck.check(x -> x[0].abs(), awayFromZero(seed, shape));
    }

    @Property(tries = 20)
    void reluGradientMatchesNumericAwayFromZero(@ForAll("shapes") int[] shape, @ForAll long seed) {
        GradCheck.check(x -> x[0].relu(), awayFromZero(seed, shape));
    }

    // ------------------------------------------------------------------ reductions

    @Property(tries = 30)
    void sumGradientMatchesNumeric(@ForAll("shapes") int[] shape, @ForAll long seed, @ForAll boolean keepdim) {
        int dim = (int) Math.floorMod(seed, shape.length);
        GradCheck.check(x -> x[0].sum(dim, keepdim), randn(seed, shape));
        GradCheck.check(x -> x[0].sum(), randn(seed, shape));
    }

    @Property(tries = 30)
    void meanGradientMatchesNumeric(@ForAll("shapes") int[] shape, @ForAll long seed, @ForAll boolean keepdim) {
        int dim = (int) Math.floorMod(seed, shape.length);
        GradCheck.check(x -> x[0].mean(dim, keepdim), randn(seed, shape));
        GradCheck.check(x -> x[0].mean(), randn(seed, shape));
    }

    @Property(tries = 30)
    void maxGradientMatchesNumeric(@ForAll("shapes") int[] shape, @ForAll long seed, @ForAll boolean keepdim) {
        int dim = (int) Math.floorMod(seed, shape.length);
        GradCheck.check(x -> x[0].max(dim, keepdim), randn(seed, shape));
    }

    @Property(tries = 30)
    void varGradientMatchesNumeric(@ForAll("shapes") int[] shape, @ForAll long seed, @ForAll boolean keepdim) {
        int dim = (int) Math.floorMod(seed, shape.length);
        GradCheck.check(x -> x[0].var(dim, 0, keepdim), randn(seed, shape));
    }

    // ------------------------------------------------------------------ matmul, softmax, losses

    @Property(tries = 30)
    void matmulGradientMatchesNumericWithBroadcastBatch(@ForAll @IntRange(min = 1, max = 4) int m,
                                                        @ForAll @IntRange(min = 1, max = 4) int k,
                                                        @ForAll @IntRange(min = 1, max = 4) int n,
                                                        @ForAll @IntRange(min = 0, max = 3) int layout, @ForAll long seed) {
        int[] as = switch (layout) {
            case 0 -> new int[] {m, k};
            case 1 -> new int[] {2, m, k};
            case 2 -> new int[] {2, 1, m, k};
            default -> new int[] {k};
        };
        int[] bs = layout == 2 ? new int[] {3, k, n} : layout == 3 ? new int[] {2, k, n} : new int[] {k, n};
        GradCheck.check(x -> x[0].matmul(x[1]), randn(seed, as), randn(seed + 1, bs));
    }

    @Property(tries = 30)
    void matmulGradientMatchesNumericForTransposedOperands(@ForAll @IntRange(min = 1, max = 4) int m,
                                                           @ForAll @IntRange(min = 1, max = 4) int k,
                                                           @ForAll @IntRange(min = 1, max = 4) int n,
                                                           @ForAll long seed) {
        GradCheck.check(x -> x[0].matmul(x[1].transpose(-1, -2)), randn(seed, m, k), randn(seed + 1, n, k));
        GradCheck.check(x -> x[0].t().matmul(x[1]), randn(seed, k, m), randn(seed + 1, k, n));
    }

    @Property(tries = 30)
    void addmmGradientMatchesNumericForPlainAndTransposedWeights(@ForAll @IntRange(min = 1, max = 4) int m,
                                                                 @ForAll @IntRange(min = 1, max = 4) int k,
                                                                 @ForAll @IntRange(min = 1, max = 4) int n,
                                                                 @ForAll long seed) {
        GradCheck.check(x -> LinearAlgebra.addmm(x[2], x[0], x[1]), randn(seed, 2, m, k), randn(seed + 1, k, n),
                randn(seed + 2, n));
        GradCheck.check(x -> LinearAlgebra.addmm(x[2], x[0], x[1].t()), randn(seed, m, k), randn(seed + 1, n, k),
                randn(seed + 2, n));
    }

    @Property(tries = 30)
    void softmaxGradientMatchesNumeric(@ForAll("shapes") int[] shape, @ForAll long seed) {
        int dim = (int) Math.floorMod(seed, shape.length);
        GradCheck.check(x -> x[0].softmax(dim), randn(seed, shape));
    }

    @Property(tries = 30)
    void logSoftmaxGradientMatchesNumeric(@ForAll("shapes") int[] shape, @ForAll long seed) {
        int dim = (int) Math.floorMod(seed, shape.length);
        GradCheck.check(x -> x[0].logSoftmax(dim), randn(seed, shape));
    }

    @Property(tries = 30)
    void crossEntropyGradientMatchesNumericWithIgnoredTargets(@ForAll @IntRange(min = 1, max = 6) int n,
                                                              @ForAll @IntRange(min = 1, max = 5) int classes,
                                                              @ForAll long seed) {
        Generator g = new Generator(seed);
        long[] target = new long[n];
        for (int i = 0; i < n; i++) target[i] = i == 0 ? g.nextInt(classes) : g.nextInt(4) == 0 ? -100 : g.nextInt(classes);
        Tensor t = Tensor.ofLongs(target, n);
        for (Reduction r : Reduction.values()) {
            GradCheck.check(x -> Functional.crossEntropy(x[0], t, -100, r), randn(seed, n, classes));
        }
    }

    // ------------------------------------------------------------------ normalisation and linear

    @Property(tries = 20)
    void layerNormGradientMatchesNumeric(@ForAll @IntRange(min = 1, max = 3) int rows,
                                         @ForAll @IntRange(min = 2, max = 6) int c, @ForAll long seed) {
        GradCheck.check(x -> Functional.layerNorm(x[0], x[1], x[2], 1e-5),
                randn(seed, rows, c), randn(seed + 1, c), randn(seed + 2, c));
    }

    @Property(tries = 20)
    void rmsNormGradientMatchesNumeric(@ForAll @IntRange(min = 1, max = 3) int rows,
                                       @ForAll @IntRange(min = 2, max = 6) int c, @ForAll long seed) {
        GradCheck.check(x -> Functional.rmsNorm(x[0], x[1], 1e-6), randn(seed, rows, c), randn(seed + 1, c));
    }

    @Property(tries = 20)
    void linearGradientMatchesNumeric(@ForAll @IntRange(min = 1, max = 4) int t,
                                      @ForAll @IntRange(min = 1, max = 3) int d, @ForAll long seed) {
        GradCheck.check(x -> Functional.linear(x[0], x[1], x[2]), randn(seed, 2, t, d), randn(seed + 1, 3, d), randn(seed + 2, 3));
    }

    // ------------------------------------------------------------------ indexing and selection

    @Property(tries = 30)
    void embeddingGradientScatterAddsRepeatedIds(@ForAll @IntRange(min = 1, max = 5) int vocab,
                                                 @ForAll @IntRange(min = 1, max = 6) int n, @ForAll long seed) {
        Tensor idx = randomIds(seed, vocab, n);
        GradCheck.check(x -> Functional.embedding(x[0], idx.view(1, n)), randn(seed, vocab, 3));
    }

    @Property(tries = 30)
    void indexSelectGradientScatterAddsRepeatedIds(@ForAll @IntRange(min = 1, max = 5) int vocab,
                                                   @ForAll @IntRange(min = 1, max = 6) int n, @ForAll long seed) {
        Tensor idx = randomIds(seed, vocab, n);
        GradCheck.check(x -> x[0].indexSelect(1, idx), randn(seed, 2, vocab, 2));
    }

    private static Tensor randomIds(long seed, int vocab, int n) {
        Generator g = new Generator(seed);
        long[] ids = new long[n];
        for (int i = 0; i < n; i++) ids[i] = g.nextInt(vocab);
        return Tensor.ofLongs(ids, n);
    }

    @Property(tries = 30)
    void whereGradientMatchesNumeric(@ForAll @IntRange(min = 1, max = 4) int r,
                                     @ForAll @IntRange(min = 1, max = 4) int c, @ForAll long seed) {
        Tensor cond = randomMask(seed, r, c);
        GradCheck.check(x -> Tensor.where(cond, x[0], x[1]), randn(seed, r, c), randn(seed + 1, c));
    }

    @Property(tries = 30)
    void maskedFillGradientMatchesNumeric(@ForAll @IntRange(min = 1, max = 4) int r,
                                          @ForAll @IntRange(min = 1, max = 4) int c, @ForAll long seed) {
        Tensor cond = randomMask(seed, r, c);
        GradCheck.check(x -> x[0].maskedFill(cond, -3), randn(seed, 2, r, c));
    }

    private static Tensor randomMask(long seed, int r, int c) {
        return Tensor.rand(new Generator(seed), DType.F64, r, c).gt(Tensor.scalar(0.5, DType.F64));
    }

    @Property(tries = 30)
    void triuGradientMatchesNumeric(@ForAll @IntRange(min = 1, max = 4) int r,
                                    @ForAll @IntRange(min = 1, max = 4) int c, @ForAll long seed) {
        int diagonal = (int) Math.floorMod(seed, 3) - 1;
        GradCheck.check(x -> x[0].triu(diagonal), randn(seed, 2, r, c));
    }

    @Property(tries = 30)
    void trilGradientMatchesNumeric(@ForAll @IntRange(min = 1, max = 4) int r,
                                    @ForAll @IntRange(min = 1, max = 4) int c, @ForAll long seed) {
        int diagonal = (int) Math.floorMod(seed, 3) - 1;
        GradCheck.check(x -> x[0].tril(diagonal), randn(seed, 2, r, c));
    }

    // ------------------------------------------------------------------ views and joining

    @Property(tries = 30)
    void transposeGradientRoutesBack(@ForAll @IntRange(min = 1, max = 3) int a, @ForAll @IntRange(min = 1, max = 3) int b,
                                     @ForAll long seed) {
        GradCheck.check(x -> x[0].transpose(0, 2), randn(seed, a, b, 2));
    }

    @Property(tries = 30)
    void permuteGradientRoutesBack(@ForAll @IntRange(min = 1, max = 3) int a, @ForAll @IntRange(min = 1, max = 3) int b,
                                   @ForAll long seed) {
        GradCheck.check(x -> x[0].permute(2, 0, 1), randn(seed, a, b, 2));
    }

    @Property(tries = 30)
    void reshapeGradientRoutesBack(@ForAll @IntRange(min = 1, max = 3) int a, @ForAll @IntRange(min = 1, max = 3) int b,
                                   @ForAll long seed) {
        GradCheck.check(x -> x[0].reshape(2, -1), randn(seed, a, b, 2));
        GradCheck.check(x -> x[0].transpose(0, 2).reshape(-1), randn(seed, a, b, 2));
    }

    @Property(tries = 30)
    void viewGradientRoutesBack(@ForAll @IntRange(min = 1, max = 3) int a, @ForAll @IntRange(min = 1, max = 3) int b,
                                @ForAll long seed) {
        GradCheck.check(x -> x[0].view(-1), randn(seed, a, b, 2));
    }

    @Property(tries = 30)
    void cloneGradientRoutesBack(@ForAll @IntRange(min = 1, max = 3) int a, @ForAll @IntRange(min = 1, max = 3) int b,
                                 @ForAll long seed) {
        GradCheck.check(x -> x[0].clone(), randn(seed, a, b, 2));
    }

    @Property(tries = 30)
    void narrowGradientRoutesBack(@ForAll @IntRange(min = 1, max = 3) int a, @ForAll @IntRange(min = 1, max = 3) int b,
                                  @ForAll long seed) {
        GradCheck.check(x -> x[0].narrow(1, b > 1 ? 1 : 0, 1), randn(seed, a, b, 2));
    }

    @Property(tries = 30)
    void expandGradientSumsOverTheExpandedDim(@ForAll @IntRange(min = 1, max = 3) int a, @ForAll long seed) {
        GradCheck.check(x -> x[0].expand(a, 4, 2), randn(seed, a, 1, 2));
    }

    @Property(tries = 30)
    void unsqueezeGradientRoutesBack(@ForAll @IntRange(min = 1, max = 3) int a, @ForAll long seed) {
        GradCheck.check(x -> x[0].unsqueeze(0), randn(seed, a, 2));
    }

    @Property(tries = 30)
    void squeezeGradientRoutesBack(@ForAll @IntRange(min = 1, max = 3) int a, @ForAll long seed) {
        GradCheck.check(x -> x[0].squeeze(0), randn(seed, 1, a, 2));
    }

    @Property(tries = 30)
    void catGradientRoutesBack(@ForAll @IntRange(min = 1, max = 4) int n, @ForAll long seed) {
        GradCheck.check(x -> Tensor.cat(List.of(x[0], x[1], x[0]), 1), randn(seed, 2, n), randn(seed + 1, 2, 3));
    }

    @Property(tries = 30)
    void stackGradientRoutesBack(@ForAll @IntRange(min = 1, max = 4) int n, @ForAll long seed) {
        GradCheck.check(x -> Tensor.stack(List.of(x[0], x[1]), 1), randn(seed, 2, n), randn(seed + 1, 2, n));
    }

    @Property(tries = 30)
    void splitGradientRoutesBack(@ForAll @IntRange(min = 1, max = 4) int n, @ForAll long seed) {
        GradCheck.check(x -> x[0].split(2, 1).getLast(), randn(seed, 2, n + 1));
    }

    @Property(tries = 30)
    void chunkGradientRoutesBack(@ForAll @IntRange(min = 1, max = 4) int n, @ForAll long seed) {
        GradCheck.check(x -> x[0].chunk(2, 1).getFirst(), randn(seed, 2, n + 1));
    }

    // ------------------------------------------------------------------ dropout, attention, casts

    @Property(tries = 20)
    void dropoutGradientUsesTheSameMask(@ForAll("shapes") int[] shape, @ForAll long seed) {
        GradCheck.check(x -> Functional.dropout(x[0], 0.4, true, new Generator(seed)), randn(seed, shape));
    }

    @Property(tries = 20)
    void attentionGradientMatchesNumericWithCausalAndPaddingMasks(@ForAll @IntRange(min = 1, max = 4) int t,
                                                                  @ForAll @IntRange(min = 1, max = 3) int d,
                                                                  @ForAll long seed) {
        long[] mask = new long[2 * t];
        java.util.Arrays.fill(mask, 1);
        if (t > 1) mask[2 * t - 1] = 0;  // row 1: last position is padding
        Tensor pad = Tensor.ofLongs(mask, 2, t);
        GradCheck.check(x -> Functional.scaledDotProductAttention(x[0], x[1], x[2], pad, true, Double.NaN),
                randn(seed, 2, 2, t, d), randn(seed + 1, 2, 2, t, d), randn(seed + 2, 2, 2, t, d));
    }

    @Property(tries = 10)
    void castToF32AndBackKeepsTheGraph(@ForAll("shapes") int[] shape, @ForAll long seed) {
        GradCheck.Options loose = new GradCheck.Options(1e-3, 1e-3, 1e-2, 0);
        GradCheck.check(x -> x[0].to(DType.F32).mul(2).to(DType.F64), loose, randn(seed, shape));
    }
}
