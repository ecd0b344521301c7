package dev.jtune.nn.llama;

import dev.jtune.core.Tensor;
import java.util.List;

/**
 * Rotary position embeddings as transformers' Llama applies them: frequencies {@code theta^(-2i/d)}, rescaled by
 * {@code rope_scaling} when set, the angle table duplicated over both halves of the head, and
 * {@code x * cos + rotate_half(x) * sin}.
 */
final class Rope {

    private final int headDim;
    private final double[] invFreq;

    /** The frequencies of {@code config} (its head_dim, rope_theta and rope_scaling), float32 as transformers has them. */
    Rope(LlamaConfig config) {
        headDim = config.headDim();
        double[] f = new double[headDim / 2];
        for (int i = 0; i < f.length; i++) f[i] = (float) (1.0 / Math.pow(config.ropeTheta(), (2.0 * i) / headDim));
        invFreq = config.ropeScaling() == null ? f : config.ropeScaling().rescale(f);
    }

    /**
     * @param positions [B, T] integer positions
     * @return {cos, sin}, each [B, 1, T, hd] to broadcast over heads
     */
    Tensor[] cosSin(Tensor positions) {
        int b = positions.size(0), t = positions.size(1);
        long[] pos = positions.toLongArray();
        float[] cos = new float[b * t * headDim], sin = new float[b * t * headDim];
        int half = headDim / 2;
        for (int p = 0; p < b * t; p++) {
            for (int i = 0; i < half; i++) {
                double angle = (float) (pos[p] * (float) invFreq[i]);
                float c = (float) Math.cos(angle), s = (float) Math.sin(angle);
                cos[p * headDim + i] = c;
                cos[p * headDim + half + i] = c;
                sin[p * headDim + i] = s;
                sin[p * headDim + half + i] = s;
            }
        }
        return new Tensor[] {Tensor.of(cos, b, 1, t, headDim), Tensor.of(sin, b, 1, t, headDim)};
    }

    /** x: [B, H, T, hd] rotated by the angles of cosSin. */
    static Tensor apply(Tensor x, Tensor[] cosSin) {
        int half = x.size(-1) / 2;
        Tensor rotated = Tensor.cat(List.of(x.narrow(-1, half, half).neg(), x.narrow(-1, 0, half)), -1);
        return x.mul(cosSin[0]).add(rotated.mul(cosSin[1]));
    }
}
