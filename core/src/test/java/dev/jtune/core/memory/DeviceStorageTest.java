package dev.jtune.core.memory;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertSame;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.jtune.core.DType;
import dev.jtune.core.MemoryScope;
import dev.jtune.core.Storage;
import dev.jtune.core.Tensor;
import dev.jtune.core.backend.Backend;
import dev.jtune.core.backend.Backends;
import dev.jtune.core.backend.ReferenceBackend;
import java.lang.reflect.InvocationTargetException;
import java.lang.reflect.Proxy;
import java.util.List;
import java.util.function.Supplier;
import org.junit.jupiter.api.Test;

/**
 * A storage made under a backend with device memory lives on the device, and the host sees it only through explicit
 * copies: a download when host code reads it after a kernel, an upload before a kernel after host code touched it.
 * The device here is a stand-in that keeps its own copy of each buffer and counts the copies.
 */
class DeviceStorageTest {

    private static final int N = 8192;

    /** A device whose buffers are separate host arrays, counting transfers. */
    static final class MirrorMemory implements DeviceMemory {
        int uploads, downloads, frees;

        final class Buffer implements DeviceBuffer {
            final float[] data;

            Buffer(int size) {
                data = new float[size];
            }

            @Override public DeviceMemory memory() { return MirrorMemory.this; }
            @Override public void upload(Object host) { uploads++; System.arraycopy(host, 0, data, 0, data.length); }
            @Override public void download(Object host) { downloads++; System.arraycopy(data, 0, host, 0, data.length); }
            @Override public void free() { frees++; }
        }

        @Override
        public DeviceBuffer allocate(DType dtype, int size, boolean zeroed) {
            return new Buffer(size);
        }
    }

    private final MirrorMemory memory = new MirrorMemory();

    /** The reference backend's kernels run on the device copies, with {@link #memory} as the device memory. */
    private final Backend<?> device = (Backend<?>) Proxy.newProxyInstance(Backend.class.getClassLoader(),
            new Class<?>[] {Backend.class}, (proxy, method, args) -> {
                if (method.getName().equals("device")) return memory;
                for (int i = 0; args != null && i < args.length; i++) {
                    if (args[i] instanceof MirrorMemory.Buffer b) args[i] = b.data;
                }
                try {
                    return method.invoke(new ReferenceBackend(), args);
                } catch (InvocationTargetException e) {
                    throw e.getCause();
                }
            });

    private <T> T onDevice(Supplier<T> work) {
        Backend<?> previous = Backends.use(device);
        try {
            return work.get();
        } finally {
            Backends.use(previous);
        }
    }

    private MirrorMemory.Buffer deviceCopy(Tensor t) {
        return (MirrorMemory.Buffer) onDevice(() -> t.storage().kernelBuffer());
    }

    @Test
    void aTensorMadeUnderADeviceBackendLivesOnTheDeviceUntilTheHostAsks() {
        Tensor t = onDevice(() -> Tensor.zeros(N));
        assertTrue(t.storage().onDevice());
        MirrorMemory.Buffer buffer = deviceCopy(t);
        buffer.data[3] = 5;  // a kernel writes on the device
        assertEquals(0, memory.downloads);
        assertEquals(5, t.get(3), "the host read downloads what the kernel wrote");
        assertEquals(1, memory.downloads);
        assertEquals(5, t.get(3));
        assertEquals(1, memory.downloads, "a second read without a kernel in between copies nothing");
    }

    @Test
    void aHostWriteIsUploadedOnceBeforeTheNextKernel() {
        Tensor t = onDevice(() -> Tensor.zeros(N));
        t.storage().floats()[7] = 2;
        MirrorMemory.Buffer buffer = deviceCopy(t);
        assertEquals(2, buffer.data[7]);
        int uploads = memory.uploads;
        deviceCopy(t);
        assertEquals(uploads, memory.uploads, "the device copy is current: no second upload");
    }

    @Test
    void aCallersArrayIsUploadedWhenADeviceKernelFirstTakesIt() {
        float[] values = new float[N];
        values[1] = 9;
        Tensor t = Tensor.of(values, N);
        assertFalse(t.storage().onDevice());
        assertEquals(9, deviceCopy(t).data[1]);
        assertEquals(1, memory.uploads);
    }

    @Test
    void onACpuBackendTheKernelBufferIsTheHostArray() {
        Tensor t = Tensor.zeros(N);
        assertSame(t.storage().floats(), t.storage().kernelBuffer());
    }

    @Test
    void releasingFreesTheDeviceBufferAndLaterAccessFails() {
        Tensor t;
        try (MemoryScope scope = MemoryScope.open()) {
            t = onDevice(() -> Tensor.ones(N));
        }
        assertEquals(1, memory.frees);
        Storage s = t.storage();
        assertTrue(s.isReleased());
        assertThrows(IllegalStateException.class, s::floats);
        assertThrows(IllegalStateException.class, () -> deviceCopy(t));
    }

    @Test
    void opsUnderTheDeviceBackendKeepTheirResultsOnTheDeviceAndGiveTheHostsValues() {
        Tensor x = Tensor.arange(N).to(DType.F32).div(N);  // made on the host
        Backend<?> cpu = Backends.use(new ReferenceBackend());  // the device runs the reference kernels
        float[] expected = x.mul(x).add(x).exp().toFloatArray();
        Backends.use(cpu);
        Tensor y = onDevice(() -> x.mul(x).add(x).exp());
        assertEquals(1, memory.uploads, "x crosses to the device once");
        assertEquals(0, memory.downloads, "intermediate results stay on the device");
        assertArrayEquals(expected, y.toFloatArray());
        assertEquals(1, memory.downloads);
    }

    @Test
    void catFillsAndInPlaceWritesIntoViewsMoveNoDataThroughTheHost() {
        Tensor c = onDevice(() -> {
            Tensor a = Tensor.full(1, DType.F32, 4, 8), b = Tensor.full(2, DType.F32, 4, 3);
            Tensor t = Tensor.cat(List.of(a, b), 1);               // [4, 11]: 1 x 8, 2 x 3 per row
            t.t().narrow(0, 8, 3).fill_(3);                        // the last 3 columns, through a transpose
            t.narrow(1, 0, 2).copy_(t.narrow(1, 8, 2));            // from the same storage
            t.narrow(0, 1, 1).mul_(2);
            return t;
        });
        assertEquals(0, memory.uploads);
        assertEquals(0, memory.downloads);
        float[] want = new float[4 * 11];
        for (int r = 0; r < 4; r++) {
            for (int col = 0; col < 11; col++) want[r * 11 + col] = (col < 2 || col >= 8 ? 3 : 1) * (r == 1 ? 2 : 1);
        }
        assertArrayEquals(want, c.toFloatArray());
    }
}
