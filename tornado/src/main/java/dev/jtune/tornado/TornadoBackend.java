package dev.jtune.tornado;

import dev.jtune.core.backend.AdamWStep;
import dev.jtune.core.backend.AttentionMask;
import dev.jtune.core.backend.Backend;
import dev.jtune.core.backend.BinaryOp;
import dev.jtune.core.backend.KvLayout;
import dev.jtune.core.backend.ReduceOp;
import dev.jtune.core.backend.UnaryOp;
import dev.jtune.core.memory.BufferPool;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import uk.ac.manchester.tornado.api.TornadoDeviceMap;
import uk.ac.manchester.tornado.api.common.TornadoDevice;

/**
 * The TornadoVM backend: F32 tensors live in a device's memory ({@link TornadoMemory}) and every op runs there as a
 * TornadoVM kernel, so a training step's tensors stay on the device; the host sees data only when host code asks for
 * it (a loss value, logging, saving). Chosen by name only ({@code --backend tornado}, {@code -Djtune.backend=tornado});
 * the device is {@code -Djtune.tornado.device=DRIVER:DEVICE} (default 0:0) and its memory
 * {@code -Djtune.tornado.memory=SIZE}. The device is opened on first use. Every op has a device kernel; attention's
 * dropout bitset is the one per-step input besides indices and targets that goes from the host to the device.
 */
public final class TornadoBackend implements Backend<DeviceRegion> {

    private final BufferPool buffers = new BufferPool();  // for host arrays: other dtypes, and host copies
    private volatile TornadoMemory memory;

    @Override
    public String name() {
        return "tornado";
    }

    /** Below the CPU backends: used only when asked for by name. */
    @Override
    public int priority() {
        return -10;
    }

    @Override
    public BufferPool buffers() {
        return buffers;
    }

    @Override
    public TornadoMemory device() {
        TornadoMemory m = memory;
        if (m == null) {
            synchronized (this) {
                if (memory == null) memory = new TornadoMemory(DeviceArena.fromSystemProperties());
                m = memory;
            }
        }
        return m;
    }

    /**
     * TornadoVM's devices as {@code DRIVER:DEVICE name (backend, type, memory)}; the first is the default. Listing them
     * starts TornadoVM's runtime (about a second) but opens no device.
     */
    @Override
    public List<String> devices() {
        List<String> lines = new ArrayList<>();
        List<uk.ac.manchester.tornado.api.TornadoBackend> drivers = new TornadoDeviceMap().getAllBackends();
        for (int d = 0; d < drivers.size(); d++) {
            for (int i = 0; i < drivers.get(d).getNumDevices(); i++) {
                TornadoDevice device = drivers.get(d).getDevice(i);
                lines.add(String.format(Locale.ROOT, "%d:%d %s (%s, %s, %.1f GiB)", d, i, device.getPhysicalDevice()
                        .getDeviceName(), device.getTornadoVMBackend(), device.getDeviceType(),
                        device.getMaxGlobalMemory() / (double) (1L << 30)));
            }
        }
        return lines;
    }

    private DeviceOps ops() {
        return device().ops();
    }

    @Override
    public void unary(UnaryOp op, DeviceRegion out, DeviceRegion a, int aOff, int n) {
        ops().unary(op, out.offset(), a.offset() + aOff, n);
    }

    @Override
    public void binary(BinaryOp op, DeviceRegion out, DeviceRegion a, int aOff, int[] aStrides, DeviceRegion b,
                       int bOff, int[] bStrides, int[] shape) {
        ops().binary(op, out.offset(), a.offset() + aOff, aStrides, b.offset() + bOff, bStrides, shape);
    }

    @Override
    public void copy(DeviceRegion out, int outOff, int[] outStrides, DeviceRegion a, int aOff, int[] aStrides,
                     int[] shape) {
        ops().copy(out.offset() + outOff, outStrides, a.offset() + aOff, aStrides, shape);
    }

    @Override
    public void fill(DeviceRegion out, int off, int n, float value) {
        ops().fill(out.offset() + off, n, value);
    }

    @Override
    public void reduce(ReduceOp op, DeviceRegion out, DeviceRegion a, int outer, int r, int inner) {
        ops().reduce(op, out.offset(), a.offset(), outer, r, inner);
    }

    /** Block sums on the device; only they come to the host, where they are added in order. */
    @Override
    public double sumOfSquares(DeviceRegion a, int n) {
        return sumsOfSquares(List.of(a), new int[] {n})[0];
    }

    /** Every tensor's block sums in one launch (one table of blocks), added on the host in order. */
    @Override
    public double[] sumsOfSquares(List<DeviceRegion> buffers, int[] ns) {
        if (buffers.size() != ns.length) {
            throw new IllegalArgumentException(
                    "sumsOfSquares: " + buffers.size() + " buffers but " + ns.length + " sizes");
        }
        return ops().sumsOfSquares(buffers.stream().mapToInt(DeviceRegion::offset).toArray(), ns);
    }

    @Override
    public void argmax(long[] out, DeviceRegion a, int outer, int r, int inner) {
        DeviceArena arena = device().arena();
        int n = outer * inner;  // out may be longer: a pooled array
        int at = arena.allocateInts(n);
        try {
            ops().argmax(at, a.offset(), outer, r, inner);
            int[] index = new int[n];
            arena.downloadInts(at, index);
            for (int i = 0; i < index.length; i++) out[i] = index[i];
        } finally {
            arena.freeInts(at);
        }
    }

    @Override
    public void scatter(DeviceRegion out, DeviceRegion src, long[] index, int outer, int dim, int inner) {
        ops().scatter(out.offset(), src.offset(), index, outer, dim, inner);
    }

    @Override
    public void matmul(DeviceRegion out, DeviceRegion a, int[] aOffsets, int aRowStride, int aColStride,
                       DeviceRegion b, int[] bOffsets, int bRowStride, int bColStride, int m, int n, int k) {
        ops().matmul(out.offset(), shifted(aOffsets, a.offset()), aRowStride, aColStride,
                shifted(bOffsets, b.offset()), bRowStride, bColStride, m, n, k);
    }

    @Override
    public void softmax(DeviceRegion out, DeviceRegion a, int rows, int cols, boolean log) {
        ops().softmax(out.offset(), a.offset(), rows, cols, log);
    }

    @Override
    public void softmaxBackward(DeviceRegion gradIn, DeviceRegion g, DeviceRegion y, int rows, int cols, boolean log) {
        ops().softmaxBackward(gradIn.offset(), g.offset(), y.offset(), rows, cols, log);
    }

    @Override
    public void indexSelect(DeviceRegion out, DeviceRegion a, int[] index, int outer, int dim, int inner) {
        ops().indexSelect(out.offset(), a.offset(), index, outer, dim, inner);
    }

    @Override
    public void indexAdd(DeviceRegion out, DeviceRegion src, int[] index, int outer, int dim, int inner) {
        ops().indexAdd(out.offset(), src.offset(), index, outer, dim, inner);
    }

    @Override
    public void where(DeviceRegion out, DeviceRegion condition, DeviceRegion a, DeviceRegion b, int n) {
        ops().where(out.offset(), condition.offset(), a.offset(), b.offset(), n);
    }

    @Override
    public void triangle(DeviceRegion out, DeviceRegion a, int matrices, int rows, int cols, int diagonal,
                         boolean upper) {
        ops().triangle(out.offset(), a.offset(), matrices, rows, cols, diagonal, upper);
    }

    @Override
    public void nllLoss(DeviceRegion losses, DeviceRegion logProbs, int[] target, int ignoreIndex, int rows,
                        int classes) {
        ops().nllLoss(losses.offset(), logProbs.offset(), target, ignoreIndex, rows, classes);
    }

    /** The composition, with the log-probabilities in a temporary region of the device's heap. */
    @Override
    public void crossEntropy(DeviceRegion losses, DeviceRegion logits, int[] target, int ignoreIndex, int rows,
                             int classes) {
        DeviceArena arena = device().arena();
        int logProbs = arena.allocate((long) rows * classes);
        try {
            ops().softmax(logProbs, logits.offset(), rows, classes, true);
            ops().nllLoss(losses.offset(), logProbs, target, ignoreIndex, rows, classes);
        } finally {
            arena.free(logProbs);
        }
    }

    @Override
    public void crossEntropyBackward(DeviceRegion grad, DeviceRegion g, int gStride, double gScale, int[] target,
                                     int ignoreIndex, int rows, int classes) {
        ops().crossEntropyBackward(grad.offset(), g.offset(), gStride, gScale, target, ignoreIndex, rows, classes);
    }

    /**
     * On the device, keeping the weights (before dropout) in {@code p}, or in a temporary region when the caller needs
     * none; a dropout bitset is uploaded to the int arena for the launch.
     */
    @Override
    public void attention(DeviceRegion out, DeviceRegion p, DeviceRegion q, DeviceRegion k, DeviceRegion v,
                          AttentionMask mask, int n, int tq, int tk, int hs, int hsv, KvLayout kv, float scale) {
        DeviceArena arena = device().arena();
        int weights = p != null ? p.offset() : arena.allocate((long) n * tq * tk);
        try {
            ops().attention(out.offset(), weights, q.offset(), k.offset(), v.offset(), mask, n, tq, tk, hs, hsv, kv,
                    scale);
        } finally {
            if (p == null) arena.free(weights);
        }
    }

    @Override
    public void attentionBackward(DeviceRegion dq, DeviceRegion dk, DeviceRegion dv, DeviceRegion dout,
                                  DeviceRegion p, DeviceRegion q, DeviceRegion k, DeviceRegion v, AttentionMask mask,
                                  int n, int tq, int tk, int hs, int hsv, float scale) {
        ops().attentionBackward(dq.offset(), dk.offset(), dv.offset(), dout.offset(), p.offset(), q.offset(),
                k.offset(), v.offset(), mask, n, tq, tk, hs, hsv, scale);
    }

    @Override
    public void adamw(DeviceRegion p, DeviceRegion g, DeviceRegion m, DeviceRegion v, int n, AdamWStep step) {
        ops().adamw(p.offset(), g.offset(), m.offset(), v.offset(), n, step);
    }

    @Override
    public void biasGelu(DeviceRegion out, DeviceRegion x, DeviceRegion bias, int rows, int cols, boolean tanh) {
        ops().biasGelu(out.offset(), x.offset(), bias.offset(), rows, cols, tanh);
    }

    @Override
    public void biasGeluBackward(DeviceRegion dx, DeviceRegion dbias, DeviceRegion g, DeviceRegion x,
                                 DeviceRegion bias, int rows, int cols, boolean tanh) {
        ops().biasGeluBackward(dx.offset(), dbias.offset(), g.offset(), x.offset(), bias.offset(), rows, cols, tanh);
    }

    /** Batch offsets into a region, as heap offsets. */
    private static int[] shifted(int[] offsets, int base) {
        int[] out = new int[offsets.length];
        for (int i = 0; i < offsets.length; i++) out[i] = base + offsets[i];
        return out;
    }
}
