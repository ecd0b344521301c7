package dev.jtune.core.autograd;

import dev.jtune.core.MemoryScope;
import dev.jtune.core.Shape;
import dev.jtune.core.Tensor;
import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.Collections;
import java.util.IdentityHashMap;
import java.util.List;
import java.util.Map;

/**
 * Reverse-mode differentiation: a topological sort of the recorded graph (iterative, so deep graphs do not overflow
 * the stack), then a reverse sweep that calls each node's backward and accumulates gradients. Leaves accumulate into
 * {@link Tensor#grad()} ({@code +=}); zeroing is the caller's separate step.
 *
 * <p>Memory: each node drops its saved tensors right after its backward (a second backward through the same graph is
 * an error, as in PyTorch without {@code retain_graph}), and every intermediate gradient goes back to the buffer pool
 * as soon as the last gradient that reads its storage has been consumed ({@link GradientBuffers}).
 */
public final class Engine {

    private Engine() {}

    /** Backpropagates {@code gradOutput} (same shape as {@code output}) through the graph that produced {@code output}. */
    public static void backward(Tensor output, Tensor gradOutput) {
        backward(output, gradOutput, false);
    }

    /**
     * The naive twin of {@link #backward(Tensor, Tensor)}: every node returns fresh dense gradients and a leaf's
     * gradient is {@code grad = grad + g} in a new tensor, with none of the shortcuts (no scatter into an existing
     * buffer, no taking a gradient's storage as the leaf's buffer, no in-place accumulation). Tests compare the two.
     */
    public static void backwardPlain(Tensor output, Tensor gradOutput) {
        backward(output, gradOutput, true);
    }

    private static void backward(Tensor output, Tensor gradOutput, boolean plain) {
        if (!output.requiresGrad()) {
            throw new IllegalStateException("backward: the tensor of shape " + output.shapeString()
                    + " does not require grad and has no grad_fn");
        }
        if (!java.util.Arrays.equals(output.shape(), gradOutput.shape())) {
            throw new IllegalArgumentException("backward: gradient shape " + gradOutput.shapeString()
                    + " does not match output shape " + output.shapeString());
        }
        List<Tensor> order = topologicalOrder(output);
        Map<Tensor, Tensor> grads = new IdentityHashMap<>();
        GradientBuffers buffers = new GradientBuffers(gradOutput);
        grads.put(output, gradOutput);
        try (var scope = GradMode.noGrad()) {
            for (Tensor t : order) {
                Tensor g = grads.remove(t);
                if (g == null) continue;
                Node node = t.gradFn();
                if (node == null) {
                    t.accumulateGrad(g, false);  // the output itself is a leaf
                    continue;
                }
                if (!plain && addedIntoLeafGradient(node, g)) {
                    buffers.consumed(g);
                    continue;
                }
                Tensor[] inputGrads = node.backward(g);
                for (Tensor gi : inputGrads) if (gi != null) buffers.produced(gi);
                node.releaseSaved();  // after the line above: a gradient may live in a buffer the node had saved
                buffers.consumed(g);  // only what backward returned (views of g included) still holds g's storage
                Tensor[] inputs = node.inputs();
                for (int i = 0; i < inputs.length; i++) {
                    Tensor in = inputs[i], gi = inputGrads[i];
                    if (gi == null) continue;
                    if (in == null || !in.requiresGrad()) {
                        buffers.consumed(gi);
                    } else if (in.gradFn() == null) {
                        checkShape(node, i, in, gi);
                        if (plain) {
                            in.setGrad(MemoryScope.persist(in.grad() == null ? gi.clone() : in.grad().add(gi)));
                            buffers.consumed(gi);
                        } else if (in.accumulateGrad(gi, buffers.soleHolder(gi))) {
                            buffers.handedOver(gi);
                        } else {
                            buffers.consumed(gi);
                        }
                    } else {
                        checkShape(node, i, in, gi);
                        grads.merge(in, gi, (a, b) -> {
                            Tensor sum = a.add(b);
                            buffers.produced(sum);
                            buffers.consumed(a);
                            buffers.consumed(b);
                            return sum;
                        });
                    }
                }
            }
        }
    }

    /** A single-input node whose input is a leaf with a gradient buffer may add straight into that buffer. */
    private static boolean addedIntoLeafGradient(Node node, Tensor g) {
        Tensor[] inputs = node.inputs();
        if (inputs.length != 1 || !inputs[0].requiresGrad() || inputs[0].gradFn() != null) return false;
        Tensor buffer = inputs[0].grad();
        if (buffer == null || !node.backwardInto(g, buffer)) return false;
        buffer.storage().bumpVersion();
        return true;
    }

    /** Tensors reachable from {@code root} through tensors that require grad, each after every tensor that uses it. */
    private static List<Tensor> topologicalOrder(Tensor root) {
        Map<Tensor, Boolean> visited = new IdentityHashMap<>();
        List<Tensor> postOrder = new ArrayList<>();
        ArrayDeque<Object[]> stack = new ArrayDeque<>();  // {tensor, next input index}
        stack.push(new Object[] {root, 0});
        visited.put(root, true);
        while (!stack.isEmpty()) {
            Object[] frame = stack.peek();
            Tensor t = (Tensor) frame[0];
            Tensor[] inputs = t.gradFn() == null ? new Tensor[0] : t.gradFn().inputs();
            int i = (Integer) frame[1];
            while (i < inputs.length && (inputs[i] == null || !inputs[i].requiresGrad() || visited.containsKey(inputs[i]))) {
                i++;
            }
            if (i < inputs.length) {
                frame[1] = i + 1;
                visited.put(inputs[i], true);
                stack.push(new Object[] {inputs[i], 0});
            } else {
                stack.pop();
                postOrder.add(t);
            }
        }
        Collections.reverse(postOrder);
        return postOrder;
    }

    private static void checkShape(Node node, int i, Tensor input, Tensor grad) {
        if (!java.util.Arrays.equals(input.shape(), grad.shape())) {
            throw new IllegalStateException("backward of " + node.name() + " returned a gradient of shape "
                    + grad.shapeString() + " for input " + i + " of shape " + Shape.format(input.shape()));
        }
    }
}
