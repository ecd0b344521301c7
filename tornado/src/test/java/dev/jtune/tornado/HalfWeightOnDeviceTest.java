package dev.jtune.tornado;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;

import dev.jtune.core.DType;
import dev.jtune.core.Generator;
import dev.jtune.core.Tensor;
import dev.jtune.core.backend.Backend;
import dev.jtune.core.backend.Backends;
import dev.jtune.core.ops.LinearAlgebra;
import org.junit.jupiter.api.Test;

/**
 * A frozen bf16 weight multiplied in place ({@link LinearAlgebra#matmulHalfWeight}, a LoRA base) on the tornado
 * backend, which is not a host backend: its storage is converted to F32 and the device multiplies, the bits of the
 * device's product on the converted weight.
 */
class HalfWeightOnDeviceTest {

    @Test
    void givesTheDevicesBitsOfTheConvertedWeight() {
        Generator g = new Generator(7);
        Tensor x = Tensor.randn(g, DType.F32, 2, 19, 40);
        Tensor conv1d = Tensor.randn(g, DType.F32, 40, 33).to(DType.BF16);  // [in, out]
        Tensor linear = Tensor.randn(g, DType.F32, 33, 40).to(DType.F16);  // [out, in], read transposed
        Backend<?> previous = Backends.use(TornadoTestBackend.INSTANCE);
        try {
            assertArrayEquals(x.matmul(conv1d.to(DType.F32)).toFloatArray(),
                    LinearAlgebra.matmulHalfWeight(x, conv1d).toFloatArray(), "bf16 [in, out]");
            assertArrayEquals(x.matmul(linear.to(DType.F32).t()).toFloatArray(),
                    LinearAlgebra.matmulHalfWeight(x, linear.t()).toFloatArray(), "f16 [out, in]^T");
        } finally {
            Backends.use(previous);
        }
    }
}
