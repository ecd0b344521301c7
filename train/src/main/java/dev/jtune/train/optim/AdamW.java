package dev.jtune.train.optim;

import dev.jtune.core.DType;
import dev.jtune.core.MemoryScope;
import dev.jtune.core.Tensor;
import dev.jtune.core.backend.AdamWStep;
import dev.jtune.core.backend.Backends;
import dev.jtune.nn.Parameter;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * {@code torch.optim.AdamW} with torch's arithmetic: per element, in float32,
 * <pre>
 *   p       *= 1 - lr * weight_decay                      (decoupled decay, before the Adam update)
 *   m        = m + (1 - beta1) * (g - m)                  (exp_avg.lerp_(grad, 1 - beta1))
 *   v        = v * beta2 + (1 - beta2) * g * g
 *   denom    = sqrt(v) / sqrt(1 - beta2^t) + eps
 *   p       += -(lr / (1 - beta1^t)) * m / denom
 * </pre>
 * where t counts this parameter's updates. Parameters without a gradient are skipped, as in torch. Each parameter
 * group has its own weight decay ({@link DecayParameters} puts biases and norm weights in a group without it).
 * The update is the backend's AdamW kernel over the flat float arrays (element by element, so any thread split gives
 * the same bits).
 */
public final class AdamW {

    /** Parameters sharing a weight decay, by name. */
    public record ParamGroup(Map<String, Parameter> params, double weightDecay) {}

    private final List<ParamGroup> groups;
    private final double beta1;
    private final double beta2;
    private final double eps;
    private double lr;
    private final Map<String, State> state = new LinkedHashMap<>();

    /**
     * Per-parameter state: the step count and the two moments (torch's exp_avg, exp_avg_sq), tensors of the
     * parameter's shape that live where the parameter lives (on a device backend, on the device).
     */
    private record State(int[] step, Tensor expAvg, Tensor expAvgSq) {}

    public AdamW(List<ParamGroup> groups, double lr, double beta1, double beta2, double eps) {
        if (lr < 0) throw new IllegalArgumentException("AdamW: invalid learning rate " + lr);
        if (beta1 < 0 || beta1 >= 1) throw new IllegalArgumentException("AdamW: invalid beta1 " + beta1);
        if (beta2 < 0 || beta2 >= 1) throw new IllegalArgumentException("AdamW: invalid beta2 " + beta2);
        if (eps < 0) throw new IllegalArgumentException("AdamW: invalid epsilon " + eps);
        this.groups = List.copyOf(groups);
        this.lr = lr;
        this.beta1 = beta1;
        this.beta2 = beta2;
        this.eps = eps;
    }

    /** The learning rate of the next {@link #step()} (set by the scheduler). */
    public double lr() {
        return lr;
    }

    public void setLr(double lr) {
        this.lr = lr;
    }

    /** Updates every parameter that has a gradient. */
    public void step() {
        step(1f);
    }

    /**
     * {@link #step()} with each gradient multiplied by {@code gradScale} as it is read (gradient clipping's coefficient,
     * {@link GradClipping#clipCoefficient}): the bits of {@link GradClipping#clipGradNorm} scaling the gradients in
     * place and then {@code step()}, without that pass over every gradient. The gradients themselves are not changed.
     */
    public void step(float gradScale) {
        for (ParamGroup group : groups) {
            for (var e : group.params().entrySet()) {
                Tensor value = e.getValue().value(), grad = e.getValue().grad();
                if (grad == null) continue;
                requireFlat(value, e.getKey());
                requireFlat(grad, e.getKey() + ".grad");
                State s = state.computeIfAbsent(e.getKey(), k -> new State(new int[1], moment(value), moment(value)));
                if (s.expAvg.numel() != value.numel()) {
                    throw new IllegalStateException("AdamW: parameter '" + e.getKey() + "' has " + value.numel()
                            + " elements but its optimizer state has " + s.expAvg.numel());
                }
                int t = ++s.step[0];
                update(value, grad, s.expAvg, s.expAvgSq, t, group.weightDecay(), gradScale);
                value.storage().bumpVersion();
            }
        }
    }

    private static Tensor moment(Tensor parameter) {
        return MemoryScope.persist(Tensor.zeros(DType.F32, parameter.shape()));
    }

    private void update(Tensor p, Tensor g, Tensor m, Tensor v, int t, double weightDecay, float gradScale) {
        double biasCorrection1 = 1 - Math.pow(beta1, t), biasCorrection2 = 1 - Math.pow(beta2, t);
        AdamWStep constants = new AdamWStep(weightDecay != 0, (float) (1 - lr * weightDecay), (float) (1 - beta1),
                (float) beta2, (float) (1 - beta2), (float) -(lr / biasCorrection1), (float) Math.sqrt(biasCorrection2),
                (float) eps, gradScale);
        // One pass over p, g, m, v, on the buffers the current backend's kernels take (host arrays, or device buffers).
        Backends.currentForKernelBuffers().adamw(p.storage().kernelBuffer(), g.storage().kernelBuffer(),
                m.storage().kernelBuffer(), v.storage().kernelBuffer(), p.numel(), constants);
    }

    /**
     * The state as tensors, as torch's {@code optimizer.state_dict()} flattened: {@code <name>.exp_avg},
     * {@code <name>.exp_avg_sq} (the parameter's shape) and {@code <name>.step} (a one-element F32). As in torch, the
     * moments are the optimizer's own tensors, not copies (a checkpoint writes them from where they lie): the next
     * {@link #step} changes them.
     */
    public Map<String, Tensor> stateDict() {
        Map<String, Tensor> out = new LinkedHashMap<>();
        for (ParamGroup group : groups) {
            for (var e : group.params().entrySet()) {
                State s = state.get(e.getKey());
                if (s == null) continue;
                out.put(e.getKey() + ".exp_avg", s.expAvg.detach());
                out.put(e.getKey() + ".exp_avg_sq", s.expAvgSq.detach());
                out.put(e.getKey() + ".step", Tensor.of(new float[] {s.step[0]}, 1));
            }
        }
        return out;
    }

    /**
     * Restores a {@link #stateDict()}; every tensor is checked against the parameters before anything changes. As in
     * torch, the moments given become this optimizer's state (they are not copied when already in its layout).
     */
    public void loadStateDict(Map<String, Tensor> saved) {
        Map<String, State> loaded = new LinkedHashMap<>();
        int expected = 0;
        for (ParamGroup group : groups) {
            for (var e : group.params().entrySet()) {
                String name = e.getKey();
                Tensor m = saved.get(name + ".exp_avg"), v = saved.get(name + ".exp_avg_sq"), t = saved.get(name + ".step");
                if (m == null && v == null && t == null) continue;
                if (m == null || v == null || t == null) {
                    throw new IllegalArgumentException("AdamW.loadStateDict: incomplete state for '" + name + "'");
                }
                for (Tensor buffer : List.of(m, v)) {
                    if (!java.util.Arrays.equals(buffer.shape(), e.getValue().shape())) {
                        throw new IllegalArgumentException("AdamW.loadStateDict: '" + name + "' state has shape "
                                + buffer.shapeString() + " but the parameter has " + e.getValue().value().shapeString());
                    }
                }
                loaded.put(name, new State(new int[] {(int) t.item()}, persisted(m), persisted(v)));
                expected += 3;
            }
        }
        if (expected != saved.size()) {
            throw new IllegalArgumentException("AdamW.loadStateDict: " + (saved.size() - expected)
                    + " tensors name no parameter of this optimizer (for example " + saved.keySet().stream()
                    .filter(k -> !loaded.containsKey(k.substring(0, k.lastIndexOf('.')))).findFirst().orElse("?") + ")");
        }
        state.clear();
        state.putAll(loaded);
    }

    /**
     * A saved moment as state: the tensor itself when the update kernel can take it (a contiguous F32 tensor owning its
     * storage, as a checkpoint's tensors are read), as torch's {@code load_state_dict} keeps a tensor of the right dtype
     * and device, so resuming does not hold the moments twice; else a copy in that layout.
     */
    private static Tensor persisted(Tensor saved) {
        return MemoryScope.persist(isFlat(saved) ? saved.detach() : Tensor.of(saved.toFloatArray(), saved.shape()));
    }

    /** Whether {@code t} is a contiguous F32 tensor that owns its whole storage (the kernel updates it flat). */
    private static boolean isFlat(Tensor t) {
        return t.dtype() == DType.F32 && t.isContiguous() && t.offset() == 0 && t.storage().size() == t.numel();
    }

    /** Fails unless {@link #isFlat(Tensor) t is flat}. */
    static void requireFlat(Tensor t, String name) {
        if (!isFlat(t)) {
            throw new IllegalStateException("AdamW: '" + name + "' is not a contiguous F32 tensor owning its storage ("
                    + t.dtype() + " " + t.shapeString() + ", offset " + t.offset() + ")");
        }
    }
}
