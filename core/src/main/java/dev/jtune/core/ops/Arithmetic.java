package dev.jtune.core.ops;

import dev.jtune.core.Tensor;
import dev.jtune.core.autograd.Node;
import dev.jtune.core.autograd.SavedTensor;
import dev.jtune.core.backend.BinaryOp;

/** Broadcasting binary arithmetic (add, sub, mul, div, pow, maximum, minimum) and comparisons. */
public final class Arithmetic {

    private Arithmetic() {}

    public static Tensor add(Tensor a, Tensor b) {
        return Dispatch.binary("add", BinaryOp.ADD, a, b).recordedBy(new Node("add", a, b) {
            @Override
            public Tensor[] backward(Tensor g) {
                return new Tensor[] {needsGrad(0) ? sumTo(g, a) : null, needsGrad(1) ? sumTo(g, b) : null};
            }
        });
    }

    public static Tensor sub(Tensor a, Tensor b) {
        return Dispatch.binary("sub", BinaryOp.SUB, a, b).recordedBy(new Node("sub", a, b) {
            @Override
            public Tensor[] backward(Tensor g) {
                return new Tensor[] {needsGrad(0) ? sumTo(g, a) : null, needsGrad(1) ? sumTo(g.neg(), b) : null};
            }
        });
    }

    /** Saves each operand only if the other one needs its gradient (a product by a constant keeps nothing big). */
    public static Tensor mul(Tensor a, Tensor b) {
        return Dispatch.binary("mul", BinaryOp.MUL, a, b).recordedBy(new Node("mul", a, b) {
            private final SavedTensor sa = needsGrad(1) ? save(a) : null, sb = needsGrad(0) ? save(b) : null;

            @Override
            public Tensor[] backward(Tensor g) {
                return new Tensor[] {
                    needsGrad(0) ? sumTo(g.mul(sb.get()), a) : null,
                    needsGrad(1) ? sumTo(g.mul(sa.get()), b) : null};
            }
        });
    }

    public static Tensor div(Tensor a, Tensor b) {
        Tensor out = Dispatch.binary("div", BinaryOp.DIV, a, b);
        return out.recordedBy(new Node("div", a, b) {
            private final SavedTensor sb = save(b), so = needsGrad(1) ? save(out) : null;

            @Override
            public Tensor[] backward(Tensor g) {
                Tensor gOverB = g.div(sb.get());
                return new Tensor[] {
                    needsGrad(0) ? sumTo(gOverB, a) : null,
                    needsGrad(1) ? sumTo(gOverB.mul(so.get()).neg(), b) : null};
            }
        });
    }

    /** {@code a ** b}; the gradient for b uses log(a) and is only computed when b requires grad. */
    public static Tensor pow(Tensor a, Tensor b) {
        Tensor out = Dispatch.binary("pow", BinaryOp.POW, a, b);
        return out.recordedBy(new Node("pow", a, b) {
            private final SavedTensor sa = save(a), sb = save(b), so = save(out);

            @Override
            public Tensor[] backward(Tensor g) {
                Tensor ga = null, gb = null;
                if (needsGrad(0)) {
                    Tensor bm1 = sb.get().sub(1);
                    ga = sumTo(g.mul(sb.get()).mul(Dispatch.binary("pow", BinaryOp.POW, sa.get(), bm1)), a);
                }
                if (needsGrad(1)) gb = sumTo(g.mul(so.get()).mul(sa.get().log()), b);
                return new Tensor[] {ga, gb};
            }
        });
    }

    /** Elementwise maximum; at ties the gradient is split evenly, as in PyTorch. */
    public static Tensor maximum(Tensor a, Tensor b) {
        return extremum("maximum", BinaryOp.MAXIMUM, a, b);
    }

    /** Elementwise minimum; at ties the gradient is split evenly, as in PyTorch. */
    public static Tensor minimum(Tensor a, Tensor b) {
        return extremum("minimum", BinaryOp.MINIMUM, a, b);
    }

    private static Tensor extremum(String name, BinaryOp op, Tensor a, Tensor b) {
        return Dispatch.binary(name, op, a, b).recordedBy(new Node(name, a, b) {
            private final SavedTensor sa = save(a), sb = save(b);

            @Override
            public Tensor[] backward(Tensor g) {
                Tensor wins = op == BinaryOp.MAXIMUM ? gt(sa.get(), sb.get()) : gt(sb.get(), sa.get());
                Tensor share = wins.add(eq(sa.get(), sb.get()).mul(0.5));  // 1 where a wins, 0.5 at ties
                return new Tensor[] {
                    needsGrad(0) ? sumTo(g.mul(share), a) : null,
                    needsGrad(1) ? sumTo(g.mul(share.neg().add(1)), b) : null};
            }
        });
    }

    public static Tensor eq(Tensor a, Tensor b) {
        return Dispatch.binary("eq", BinaryOp.EQ, a, b);
    }

    public static Tensor gt(Tensor a, Tensor b) {
        return Dispatch.binary("gt", BinaryOp.GT, a, b);
    }

    /** Sums a broadcast gradient back to the shape of {@code input} (over added leading dims and expanded 1-dims). */
    public static Tensor sumTo(Tensor g, Tensor input) {
        int[] target = input.shape(), shape = g.shape();
        if (java.util.Arrays.equals(target, shape)) return g;
        int lead = shape.length - target.length;
        java.util.List<Integer> dims = new java.util.ArrayList<>();
        for (int d = 0; d < shape.length; d++) {
            if (d < lead || (target[d - lead] == 1 && shape[d] != 1)) dims.add(d);
        }
        Tensor s = dims.isEmpty() ? g : Reductions.sum(g, dims.stream().mapToInt(Integer::intValue).toArray(), true);
        return s.reshape(target);
    }
}
