package dev.jtune.train;

import static org.junit.jupiter.api.Assertions.assertEquals;

import dev.jtune.core.DType;
import dev.jtune.core.Tensor;
import net.jqwik.api.ForAll;
import net.jqwik.api.Property;
import net.jqwik.api.constraints.DoubleRange;
import org.junit.jupiter.api.Test;

/** Softplus's value is log(1 + e^x) and its gradient sigmoid(x) everywhere, at exactly 0 and far out included. */
class SoftplusTest {

    @Property(tries = 200)
    void valueAndGradientAreLogOnePlusExpAndSigmoid(@ForAll @DoubleRange(min = -200, max = 200) double x) {
        Tensor t = Tensor.of(new double[] {x}, 1).requiresGrad(true);
        Tensor y = Softplus.of(t);
        y.sum().backward();
        double expected = Math.max(x, 0) + Math.log1p(Math.exp(-Math.abs(x)));
        assertEquals(expected, y.item(), 1e-12 * Math.max(1, Math.abs(expected)));
        assertEquals(1 / (1 + Math.exp(-x)), t.grad().item(), 1e-12);
    }

    @Test
    void theGradientAtZeroIsOneHalfNotZero() {
        Tensor t = Tensor.zeros(DType.F32, 3).requiresGrad(true);
        Softplus.of(t).sum().backward();
        for (float g : t.grad().toFloatArray()) assertEquals(0.5f, g);
    }
}
