package dev.jtune.train.optim;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertSame;
import static org.junit.jupiter.api.Assertions.assertThrows;

import dev.jtune.core.Tensor;
import dev.jtune.nn.Parameter;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;

class AdamWTest {

    private static final double LR = 0.01, B1 = 0.9, B2 = 0.999, EPS = 1e-8, WD = 0.1;

    /** torch.optim.AdamW's update written out in double: decay first, then the bias-corrected Adam step. */
    private static void handStep(double[] p, double[] m, double[] v, double[] g, int t, double wd) {
        for (int i = 0; i < p.length; i++) {
            p[i] *= 1 - LR * wd;
            m[i] = B1 * m[i] + (1 - B1) * g[i];
            v[i] = B2 * v[i] + (1 - B2) * g[i] * g[i];
            double mHat = m[i] / (1 - Math.pow(B1, t)), vHat = v[i] / (1 - Math.pow(B2, t));
            p[i] -= LR * mHat / (Math.sqrt(vHat) + EPS);
        }
    }

    @Test
    void twoStepsMatchTheHandComputedTorchUpdateWithAndWithoutDecay() {
        Parameter w = new Parameter(Tensor.of(new float[] {1f, -2f, 0.5f}, 3));
        Parameter b = new Parameter(Tensor.of(new float[] {0.25f}, 1));
        Map<String, Parameter> decayed = new LinkedHashMap<>(Map.of("w", w)), plain = new LinkedHashMap<>(Map.of("b", b));
        AdamW adam = new AdamW(List.of(new AdamW.ParamGroup(decayed, WD), new AdamW.ParamGroup(plain, 0)), LR, B1, B2, EPS);
        double[] pw = {1, -2, 0.5}, mw = new double[3], vw = new double[3];
        double[] pb = {0.25}, mb = new double[1], vb = new double[1];
        double[][] gw = {{0.5, -0.25, 1e-3}, {0.1, 0.3, -2e-3}}, gb = {{-1}, {0.5}};
        for (int t = 1; t <= 2; t++) {
            w.value().setGrad(Tensor.of(toFloat(gw[t - 1]), 3));
            b.value().setGrad(Tensor.of(toFloat(gb[t - 1]), 1));
            adam.step();
            handStep(pw, mw, vw, gw[t - 1], t, WD);
            handStep(pb, mb, vb, gb[t - 1], t, 0);
        }
        assertArrayEquals(pw, toDouble(w.value().toFloatArray()), 1e-6);
        assertArrayEquals(pb, toDouble(b.value().toFloatArray()), 1e-6);
        assertEquals(0.25 + 0.01 - 0.01 * hatRatio(), b.value().toFloatArray()[0], 1e-6, "bias: no decay");
    }

    /** Step 2's m_hat / sqrt(v_hat) for gradients -1 then 0.5. */
    private static double hatRatio() {
        double m = (1 - B1) * -1, v = (1 - B2);
        m = B1 * m + (1 - B1) * 0.5;
        v = B2 * v + (1 - B2) * 0.25;
        return (m / (1 - B1 * B1)) / (Math.sqrt(v / (1 - B2 * B2)) + EPS);
    }

    @Test
    void parametersWithoutGradientsAreSkippedAndStateRoundTrips() {
        Parameter w = new Parameter(Tensor.of(new float[] {1f, 2f}, 2));
        Parameter frozen = new Parameter(Tensor.of(new float[] {3f}, 1));
        Map<String, Parameter> params = new LinkedHashMap<>();
        params.put("w", w);
        params.put("frozen", frozen);
        AdamW a = new AdamW(List.of(new AdamW.ParamGroup(params, 0)), LR, B1, B2, EPS);
        w.value().setGrad(Tensor.of(new float[] {1f, -1f}, 2));
        a.step();
        assertArrayEquals(new float[] {3f}, frozen.value().toFloatArray());
        Map<String, Tensor> live = a.stateDict(), state = new LinkedHashMap<>();
        assertEquals(List.of("w.exp_avg", "w.exp_avg_sq", "w.step"), List.copyOf(live.keySet()));
        live.forEach((name, t) -> state.put(name, t.clone()));  // the live moments change with a's next step

        AdamW b = new AdamW(List.of(new AdamW.ParamGroup(params, 0)), LR, B1, B2, EPS);
        b.loadStateDict(state);
        float[] before = w.value().toFloatArray();
        Parameter twin = new Parameter(Tensor.of(before.clone(), 2));
        w.value().setGrad(Tensor.of(new float[] {0.5f, 0.5f}, 2));
        twin.value().setGrad(Tensor.of(new float[] {0.5f, 0.5f}, 2));
        a.step();
        AdamW c = new AdamW(List.of(new AdamW.ParamGroup(Map.of("w", twin), 0)), LR, B1, B2, EPS);
        c.loadStateDict(state);
        assertSame(state.get("w.exp_avg").storage(), c.stateDict().get("w.exp_avg").storage(),
                "a moment in the optimizer's layout becomes its state, not a copy (as torch's load_state_dict)");
        c.step();
        assertArrayEquals(w.value().toFloatArray(), twin.value().toFloatArray(), "restored state continues identically");
        assertArrayEquals(a.stateDict().get("w.exp_avg").toFloatArray(), live.get("w.exp_avg").toFloatArray(),
                "the state dict holds the optimizer's own moments, as torch's");
        var e = assertThrows(IllegalArgumentException.class, () -> b.loadStateDict(Map.of("w.exp_avg", Tensor.zeros(3))));
        assertEquals("AdamW.loadStateDict: incomplete state for 'w'", e.getMessage());
    }

    private static float[] toFloat(double[] a) {
        float[] f = new float[a.length];
        for (int i = 0; i < a.length; i++) f[i] = (float) a[i];
        return f;
    }

    private static double[] toDouble(float[] a) {
        double[] d = new double[a.length];
        for (int i = 0; i < a.length; i++) d[i] = a[i];
        return d;
    }
}
