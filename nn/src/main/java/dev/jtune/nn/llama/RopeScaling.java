package dev.jtune.nn.llama;

import com.fasterxml.jackson.databind.node.ObjectNode;

/**
 * Llama 3's {@code rope_scaling} ({@code rope_type: "llama3"}), as transformers' {@code _compute_llama3_parameters}:
 * low frequencies are divided by {@code factor}, high ones kept, and the band between blended smoothly. The only
 * scaling jtune runs; configs with another {@code rope_type} are refused when read.
 *
 * @param factor                        how much longer the context is than {@code original_max_position_embeddings}
 * @param lowFreqFactor                 wavelengths above {@code original / low_freq_factor} are scaled fully
 * @param highFreqFactor                wavelengths below {@code original / high_freq_factor} are kept
 * @param originalMaxPositionEmbeddings the context length the model was pre-trained with
 */
public record RopeScaling(double factor, double lowFreqFactor, double highFreqFactor,
                          int originalMaxPositionEmbeddings) {

    /** The only {@code rope_type} this record describes. */
    public static final String LLAMA3 = "llama3";

    public RopeScaling {
        if (!(factor > 0) || !(lowFreqFactor > 0) || !(highFreqFactor > lowFreqFactor)
                || originalMaxPositionEmbeddings < 1) {
            throw new IllegalArgumentException("rope_scaling llama3: needs factor > 0, 0 < low_freq_factor < "
                    + "high_freq_factor and original_max_position_embeddings >= 1, got factor " + factor
                    + ", low_freq_factor " + lowFreqFactor + ", high_freq_factor " + highFreqFactor
                    + ", original_max_position_embeddings " + originalMaxPositionEmbeddings);
        }
    }

    /** The inverse frequencies {@code invFreq [hd / 2]} rescaled, each rounded to float32 as transformers computes. */
    double[] rescale(double[] invFreq) {
        double lowFreqWavelen = originalMaxPositionEmbeddings / lowFreqFactor;
        double highFreqWavelen = originalMaxPositionEmbeddings / highFreqFactor;
        double[] out = new double[invFreq.length];
        for (int i = 0; i < out.length; i++) {
            double f = invFreq[i], wavelen = 2 * Math.PI / f;
            if (wavelen < highFreqWavelen) {
                out[i] = f;
            } else if (wavelen > lowFreqWavelen) {
                out[i] = (float) (f / factor);
            } else {
                double s = (originalMaxPositionEmbeddings / wavelen - lowFreqFactor) / (highFreqFactor - lowFreqFactor);
                out[i] = (float) ((1 - s) * f / factor + s * f);
            }
        }
        return out;
    }

    /** The scaling keys into a {@code rope_scaling} / {@code rope_parameters} object. */
    void putInto(ObjectNode json) {
        json.put("factor", factor).put("high_freq_factor", highFreqFactor).put("low_freq_factor", lowFreqFactor)
                .put("original_max_position_embeddings", originalMaxPositionEmbeddings).put("rope_type", LLAMA3);
    }
}
