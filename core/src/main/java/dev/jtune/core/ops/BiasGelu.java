package dev.jtune.core.ops;

import dev.jtune.core.Tensor;
import dev.jtune.core.autograd.Node;
import dev.jtune.core.autograd.SavedTensor;

/**
 * {@code gelu(x + bias)} as one op, for GPT-2's MLP (c_fc's output plus its bias, then gelu_new). Why fuse: the
 * composition writes and reads {@code x + bias} as a whole tensor and saves both it and the activation's output for
 * backward; fused, forward writes only the output, and backward saves x and bias, which the graph holds anyway, and
 * recomputes {@code x + bias} row by row. The result is the composition's to the bit on the CPU backend.
 */
public final class BiasGelu {

    private BiasGelu() {}

    /**
     * {@code gelu(x + bias)} for {@code x [..., C]} and {@code bias [C]}, with PyTorch's {@code approximate}: "none"
     * (exact) or "tanh" (gelu_new).
     */
    public static Tensor apply(Tensor x, Tensor bias, String approximate) {
        boolean tanh = switch (approximate) {
            case "tanh" -> true;
            case "none" -> false;
            default -> throw new IllegalArgumentException(
                    "bias_gelu: approximate must be 'none' or 'tanh', got '" + approximate + "'");
        };
        Dispatch.requireSameCompute("bias_gelu", x, bias);
        if (bias.dim() != 1 || x.dim() == 0 || bias.size(0) != x.size(-1)) {
            throw new IllegalArgumentException("bias_gelu: bias " + bias.shapeString()
                    + " must be [C] for the last dim C of input " + x.shapeString());
        }
        Tensor xd = Dispatch.dense(x.detach()), bd = Dispatch.dense(bias.detach());
        int cols = bias.size(0), rows = cols == 0 ? 0 : x.numel() / cols;
        Tensor y = Tensor.empty(x.dtype(), x.shape());  // every element is written
        Dispatch.biasGelu(y, xd, bd, rows, cols, tanh);
        return y.recordedBy(new Node("bias_gelu", x, bias) {
            private final SavedTensor sx = save(xd), sb = save(bd);

            @Override
            public Tensor[] backward(Tensor g) {
                Tensor gd = Dispatch.dense(g), xs = sx.get(), bs = sb.get();
                Tensor dx = Tensor.empty(g.dtype(), g.shape()), dbias = Tensor.empty(g.dtype(), cols);  // written
                Dispatch.biasGeluBackward(dx, dbias, gd, xs, bs, rows, cols, tanh);
                return new Tensor[] {needsGrad(0) ? dx : null, needsGrad(1) ? dbias : null};
            }
        });
    }
}
