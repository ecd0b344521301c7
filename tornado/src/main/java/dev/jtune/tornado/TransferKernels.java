package dev.jtune.tornado;

import uk.ac.manchester.tornado.api.KernelContext;
import uk.ac.manchester.tornado.api.types.arrays.FloatArray;
import uk.ac.manchester.tornado.api.types.arrays.IntArray;

/**
 * Copies between a staging array (moved between host and device on every execution) and a region of the device-resident
 * arenas: the only way host data reaches the heap, since the heap itself crosses the bus once. Args {@code [n,
 * offset]}.
 */
final class TransferKernels {

    private TransferKernels() {}

    /** {@code heap[offset + i] = staging[i]}. */
    static void upload(KernelContext k, FloatArray heap, IntArray ints, IntArray args, FloatArray staging) {
        int n = args.get(0), offset = args.get(1);
        for (int i = k.globalIdx; i < n; i += k.globalGroupSizeX) heap.set(offset + i, staging.get(i));
    }

    /** {@code staging[i] = heap[offset + i]}. */
    static void download(KernelContext k, FloatArray heap, IntArray ints, IntArray args, FloatArray staging) {
        int n = args.get(0), offset = args.get(1);
        for (int i = k.globalIdx; i < n; i += k.globalGroupSizeX) staging.set(i, heap.get(offset + i));
    }

    /** {@code ints[offset + i] = staging[i]}. */
    static void uploadInts(KernelContext k, FloatArray heap, IntArray ints, IntArray args, IntArray staging) {
        int n = args.get(0), offset = args.get(1);
        for (int i = k.globalIdx; i < n; i += k.globalGroupSizeX) ints.set(offset + i, staging.get(i));
    }

    /** {@code staging[i] = ints[offset + i]}. */
    static void downloadInts(KernelContext k, FloatArray heap, IntArray ints, IntArray args, IntArray staging) {
        int n = args.get(0), offset = args.get(1);
        for (int i = k.globalIdx; i < n; i += k.globalGroupSizeX) staging.set(i, ints.get(offset + i));
    }
}
