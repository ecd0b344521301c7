package dev.jtune.core.autograd;

import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.jtune.core.DType;
import dev.jtune.core.Generator;
import dev.jtune.core.Tensor;
import org.junit.jupiter.api.Test;

/** GradCheck itself must be able to fail: a wrong backward and a gradient hidden by a plain sum are caught. */
class GradCheckTest {

    /** exp with a backward that forgets to multiply by the output. */
    private static Tensor brokenExp(Tensor x) {
        Tensor y = x.detach().exp();
        return y.recordedBy(new Node("broken_exp", x) {
            @Override
            public Tensor[] backward(Tensor g) {
                return new Tensor[] {g};
            }
        });
    }

    @Test
    void aWrongBackwardIsReportedWithTheElement() {
        Tensor x = Tensor.randn(new Generator(1), DType.F64, 3).requiresGrad(true);
        AssertionError e = assertThrows(AssertionError.class, () -> GradCheck.check(in -> brokenExp(in[0]), x));
        assertTrue(e.getMessage().contains("input 0 of shape [3], element"), e.getMessage());
    }

    @Test
    void randomOutputWeightingCatchesErrorsAPlainSumWouldHide() {
        // d/dx sum(softmax(x)) = 0, so a backward returning zeros would pass a plain-sum check.
        Tensor x = Tensor.randn(new Generator(2), DType.F64, 4).requiresGrad(true);
        assertThrows(AssertionError.class, () -> GradCheck.check(in -> zeroGradient(in[0].softmax(0)), x));
    }

    private static Tensor zeroGradient(Tensor y) {
        Tensor out = y.detach().clone();
        return out.recordedBy(new Node("zero_grad", y) {
            @Override
            public Tensor[] backward(Tensor g) {
                return new Tensor[] {Tensor.zeros(DType.F64, g.shape())};
            }
        });
    }

    @Test
    void nonF64InputsThatRequireGradAreRejected() {
        Tensor x = Tensor.zeros(DType.F32, 2).requiresGrad(true);
        assertThrows(IllegalArgumentException.class, () -> GradCheck.check(in -> in[0].exp(), x));
    }
}
