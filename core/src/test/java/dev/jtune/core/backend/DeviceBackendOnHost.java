package dev.jtune.core.backend;

import dev.jtune.core.DType;
import dev.jtune.core.memory.DeviceBuffer;
import dev.jtune.core.memory.DeviceMemory;
import java.lang.reflect.InvocationHandler;
import java.lang.reflect.InvocationTargetException;
import java.lang.reflect.Method;
import java.lang.reflect.Proxy;
import java.util.ArrayList;
import java.util.List;

/**
 * A backend with device memory seen as a {@link HostBackend}, so that the contract tests (written over host arrays)
 * run its kernels: each call copies every {@code float[]} argument (and each array of a list argument) into a device
 * buffer of its own, runs the device backend's method on the buffers, and copies every buffer back into its array
 * (outputs come back; inputs come back unchanged).
 */
public final class DeviceBackendOnHost {

    private DeviceBackendOnHost() {}

    public static HostBackend of(Backend<?> device) {
        DeviceMemory memory = device.device();
        if (memory == null) throw new IllegalArgumentException(device.name() + " has no device memory");
        return (HostBackend) Proxy.newProxyInstance(HostBackend.class.getClassLoader(),
                new Class<?>[] {HostBackend.class}, (proxy, method, args) -> {
                    Method target = backendMethod(method);
                    if (target == null) return InvocationHandler.invokeDefault(proxy, method, args);  // host-only
                    if (args == null) return invoke(target, device, null);
                    List<float[]> hosts = new ArrayList<>();
                    List<DeviceBuffer> buffers = new ArrayList<>();
                    Object[] deviceArgs = args.clone();
                    try {
                        for (int i = 0; i < args.length; i++) {
                            if (args[i] instanceof float[] host) {
                                deviceArgs[i] = onDevice(memory, host, hosts, buffers);
                            } else if (args[i] instanceof List<?> list) {  // sumsOfSquares' buffers
                                List<DeviceBuffer> each = new ArrayList<>();
                                for (Object host : list) each.add(onDevice(memory, (float[]) host, hosts, buffers));
                                deviceArgs[i] = each;
                            }
                        }
                        Object result = invoke(target, device, deviceArgs);
                        for (int i = 0; i < hosts.size(); i++) {
                            if (hosts.get(i).length > 0) buffers.get(i).download(hosts.get(i));
                        }
                        return result;
                    } finally {
                        buffers.forEach(DeviceBuffer::free);
                    }
                });
    }

    /** A device buffer holding a copy of {@code host}, recorded in {@code hosts} and {@code buffers}. */
    private static DeviceBuffer onDevice(DeviceMemory memory, float[] host, List<float[]> hosts,
                                         List<DeviceBuffer> buffers) {
        DeviceBuffer buffer = memory.allocate(DType.F32, Math.max(1, host.length), false);
        buffers.add(buffer);
        hosts.add(host);
        if (host.length > 0) buffer.upload(host);
        return buffer;
    }

    /**
     * The {@link Backend} method a {@link HostBackend} method stands for (same name and parameter count), or null for
     * a method only host backends have ({@link HostBackend#matmulHalfB}): its default composition then runs, calling
     * the device's kernels.
     */
    private static Method backendMethod(Method method) {
        for (Method m : Backend.class.getMethods()) {
            if (m.getName().equals(method.getName()) && m.getParameterCount() == method.getParameterCount()) return m;
        }
        if (method.isDefault()) return null;
        throw new IllegalStateException("no Backend method " + method);
    }

    private static Object invoke(Method method, Object target, Object[] args) throws Throwable {
        try {
            return method.invoke(target, args);
        } catch (InvocationTargetException e) {
            throw e.getCause();
        }
    }
}
