package dev.jtune.train.dpo;

import dev.jtune.core.Tensor;
import dev.jtune.train.Softplus;

/**
 * DPO's losses over a batch of B pairs, from the summed completion log-probs of the policy (differentiable) and of
 * the reference (constants), as TRL computes them. With {@code delta = (pi_c - ref_c) - (pi_r - ref_r)}:
 * <ul>
 *   <li>sigmoid: {@code -logsigmoid(beta delta)} (the DPO paper);</li>
 *   <li>hinge: {@code relu(1 - beta delta)} (SLiC);</li>
 *   <li>ipo: {@code (delta_per_token - 1 / (2 beta))^2}, each side divided by its completion length (IPO, as TRL
 *       normalises it);</li>
 *   <li>robust: {@code ((1 - e) (-logsigmoid(beta delta)) - e (-logsigmoid(-beta delta))) / (1 - 2e)} with
 *       {@code e = label_smoothing} (robust DPO).</li>
 * </ul>
 * each averaged over the pairs.
 */
public final class DPOLoss {

    private DPOLoss() {}

    /**
     * @param chosen          [B] policy log-probs of the chosen completions
     * @param rejected        [B] policy log-probs of the rejected completions
     * @param refChosen       [B] reference log-probs
     * @param refRejected     [B]
     * @param chosenLengths   [B] completion tokens per chosen row (for ipo)
     * @param rejectedLengths [B]
     */
    public static Tensor compute(String lossType, double beta, double labelSmoothing, Tensor chosen, Tensor rejected,
                                 float[] refChosen, float[] refRejected, float[] chosenLengths, float[] rejectedLengths) {
        int b = chosen.numel();
        Tensor chosenRatio = chosen.sub(Tensor.of(refChosen, b));       // (B)
        Tensor rejectedRatio = rejected.sub(Tensor.of(refRejected, b)); // (B)
        Tensor scaled = chosenRatio.sub(rejectedRatio).mul(beta);      // beta * delta, (B)
        Tensor perPair = switch (lossType) {
            case "sigmoid" -> Softplus.of(scaled.neg());
            case "hinge" -> scaled.neg().add(1).relu();
            case "ipo" -> {
                Tensor perToken = chosenRatio.div(Tensor.of(atLeastOne(chosenLengths), b))
                        .sub(rejectedRatio.div(Tensor.of(atLeastOne(rejectedLengths), b)));
                yield perToken.sub(1 / (2 * beta)).pow(2);
            }
            case "robust" -> Softplus.of(scaled.neg()).mul(1 - labelSmoothing)
                    .sub(Softplus.of(scaled).mul(labelSmoothing)).div(1 - 2 * labelSmoothing);
            default -> throw new IllegalArgumentException("DPO: unsupported loss_type '" + lossType + "'");
        };
        return perPair.mean();
    }

    private static float[] atLeastOne(float[] lengths) {
        float[] out = lengths.clone();
        for (int i = 0; i < out.length; i++) out[i] = Math.max(1f, out[i]);
        return out;
    }
}
