package dev.jtune.core.ops;

import dev.jtune.core.Shape;
import dev.jtune.core.Tensor;
import dev.jtune.core.autograd.Node;
import dev.jtune.core.autograd.SavedTensor;

/** Softmax and log-softmax along a dim, fused row kernels forward and backward (numerically stable). */
public final class Softmax {

    private Softmax() {}

    public static Tensor softmax(Tensor x, int dim, boolean log) {
        String name = log ? "log_softmax" : "softmax";
        Dispatch.requireCompute(name, x);
        int d = Shape.normalizeDim(name, dim, x.dim());
        int last = Math.max(x.dim() - 1, 0);
        if (d != last) return softmax(x.transpose(d, last), last, log).transpose(d, last);
        Tensor in = Dispatch.dense(x.detach());
        int cols = x.dim() == 0 ? 1 : x.size(last), rows = cols == 0 ? 0 : x.numel() / cols;
        Tensor y = Tensor.empty(x.dtype(), x.shape());
        Dispatch.softmax(y, in, rows, cols, log);
        return y.recordedBy(new Node(name, x) {
            private final SavedTensor sy = save(y);

            @Override
            public Tensor[] backward(Tensor g) {
                Tensor gd = Dispatch.dense(g), yd = sy.get();
                Tensor gradIn = Tensor.empty(g.dtype(), g.shape());
                Dispatch.softmaxBackward(gradIn, gd, yd, rows, cols, log);
                return new Tensor[] {gradIn};
            }
        });
    }
}
