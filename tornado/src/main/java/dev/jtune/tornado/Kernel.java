package dev.jtune.tornado;

import uk.ac.manchester.tornado.api.KernelContext;
import uk.ac.manchester.tornado.api.common.TornadoFunctions.Task5;
import uk.ac.manchester.tornado.api.types.arrays.FloatArray;
import uk.ac.manchester.tornado.api.types.arrays.IntArray;

/**
 * Every compute kernel of the device, each of which gets its own task graph in {@link DeviceArena}. All kernels take
 * the same parameters, {@code (context, heap, ints, args, scalars)}: the float heap and int arena that live on the
 * device, the int arguments (offsets, sizes, op codes) and the float arguments of this launch; so one loop builds every
 * graph. Each kernel documents its {@code args} layout. A kernel method's name becomes its OpenCL kernel's name, so it
 * must not be an OpenCL built-in ({@code select} is: the driver then rejects the kernel and pocl crashes).
 */
enum Kernel {
    FILL(ElementwiseKernels::fill),
    UNARY(ElementwiseKernels::unary),
    BINARY(ElementwiseKernels::binary),
    COPY(ElementwiseKernels::copy),
    ADAMW(ElementwiseKernels::adamw),
    REDUCE(ReduceKernels::reduce),
    ARGMAX(ReduceKernels::argmax),
    SOFTMAX(SoftmaxKernels::softmax),
    SOFTMAX_BACKWARD(SoftmaxKernels::softmaxBackward),
    INDEX_SELECT(IndexKernels::indexSelect),
    INDEX_ADD(IndexKernels::indexAdd),
    MATMUL(MatmulKernels::matmul),
    BIAS_GELU(BiasGeluKernels::biasGelu),
    BIAS_GELU_BACKWARD(BiasGeluKernels::biasGeluBackward),
    ATTENTION_SOFTMAX(AttentionKernels::attentionSoftmax),
    ATTENTION_SOFTMAX_BACKWARD(AttentionKernels::attentionSoftmaxBackward),
    ATTENTION_DROPOUT(AttentionKernels::attentionDropout),
    NLL_LOSS(CrossEntropyKernels::nllLoss),
    CROSS_ENTROPY_BACKWARD(CrossEntropyKernels::crossEntropyBackward),
    WHERE(SelectKernels::where),
    TRIANGLE(SelectKernels::triangle),
    SCATTER(IndexKernels::scatter);

    final Task5<KernelContext, FloatArray, IntArray, IntArray, FloatArray> code;

    Kernel(Task5<KernelContext, FloatArray, IntArray, IntArray, FloatArray> code) {
        this.code = code;
    }
}
