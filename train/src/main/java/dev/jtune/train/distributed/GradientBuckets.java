package dev.jtune.train.distributed;

import dev.jtune.core.Tensor;
import dev.jtune.nn.Parameter;
import java.lang.foreign.Arena;
import java.lang.foreign.MemorySegment;
import java.lang.foreign.ValueLayout;
import java.util.ArrayList;
import java.util.List;

/**
 * Sums gradients over the ranks once per optimizer step, as {@code DistributedDataParallel}'s reducer: the
 * gradients of the trainable parameters, in reverse registration order (the order backward finishes them), are
 * packed into one native bucket of {@link #BUCKET_BYTES} at a time (a tensor larger than a bucket spans several), each
 * bucket is all-reduced in place and unpacked. The bucket size changes neither the result nor its bits: every element
 * is the same sum of one value per rank, whichever bucket carries it.
 *
 * <p>It also broadcasts rank 0's parameter values, so that every rank starts from the same weights.
 */
public final class GradientBuckets {

    /** 25 MiB, PyTorch DDP's default {@code bucket_cap_mb}. */
    public static final int BUCKET_BYTES = 25 << 20;

    private final Distributed world;
    private final MemorySegment bucket;
    private final int capacity;  // floats
    private long bytesReduced;
    private long nanos;
    private long waitNanos;

    public GradientBuckets(Distributed world) {
        this(world, BUCKET_BYTES / Float.BYTES);
    }

    GradientBuckets(Distributed world, int bucketFloats) {
        this.world = world;
        this.capacity = bucketFloats;
        this.bucket = Arena.ofAuto().allocate((long) bucketFloats * Float.BYTES, 64);
    }

    /**
     * Replaces each trainable parameter's gradient with its sum over the ranks, and returns the sum of
     * {@code lossSum} over the ranks. A parameter that has a gradient on some rank but not on this one (its rows of
     * the batch never reached it) gets a zero gradient first; one without a gradient on any rank keeps none, so the
     * optimizer skips it as in a single process.
     *
     * <p>The first collective (the loss and which parameters have gradients, a few bytes) is where a rank waits for
     * the slowest one to finish its backward pass; its time is {@link #waitSeconds()}, apart from the buckets'.
     */
    public double allReduce(List<Parameter> parameters, double lossSum) {
        long start = System.nanoTime();
        List<Parameter> trainable = new ArrayList<>();
        for (Parameter p : parameters) if (p.value().requiresGrad()) trainable.add(p);
        double[] sums = new double[trainable.size() + 1];  // [has gradient per parameter..., loss sum]
        for (int i = 0; i < trainable.size(); i++) sums[i] = trainable.get(i).grad() != null ? 1 : 0;
        sums[trainable.size()] = lossSum;
        world.allReduceSum(sums);
        long synced = System.nanoTime();
        waitNanos += synced - start;
        List<Tensor> grads = new ArrayList<>();
        for (int i = trainable.size() - 1; i >= 0; i--) {
            if (sums[i] == 0) continue;
            Parameter p = trainable.get(i);
            if (p.grad() == null) p.value().setGrad(Tensor.zeros(p.shape()));
            grads.add(p.grad());
        }
        stream(grads, true);
        nanos += System.nanoTime() - synced;
        return sums[trainable.size()];
    }

    /** Sets every parameter to rank 0's value. */
    public void broadcast(List<Parameter> parameters) {
        List<Tensor> values = new ArrayList<>();
        for (Parameter p : parameters) values.add(p.value());
        stream(values, false);
    }

    /** Bytes of gradients all-reduced so far (each rank's contribution: bucket payloads). */
    public long bytesReduced() {
        return bytesReduced;
    }

    /** Time spent moving gradients so far: packing the buckets, their all-reduces, unpacking. */
    public double seconds() {
        return nanos / 1e9;
    }

    /** Time spent waiting for the slowest rank to reach the step's all-reduce so far. */
    public double waitSeconds() {
        return waitNanos / 1e9;
    }

    /** Moves {@code tensors} through the bucket in order: all-reduce (sum) or broadcast from rank 0, in place. */
    private void stream(List<Tensor> tensors, boolean reduce) {
        List<Piece> pending = new ArrayList<>();
        int filled = 0;
        for (Tensor t : tensors) {
            if (!t.isContiguous()) throw new IllegalStateException("GradientBuckets: tensor " + t.shapeString() + " is not contiguous");
            int done = 0, n = t.numel();
            while (done < n) {
                int take = Math.min(n - done, capacity - filled);
                MemorySegment.copy(t.storage().floats(), t.offset() + done, bucket, ValueLayout.JAVA_FLOAT,
                        (long) filled * Float.BYTES, take);
                pending.add(new Piece(t, done, filled, take));
                filled += take;
                done += take;
                if (filled == capacity) {
                    flush(pending, filled, reduce);
                    filled = 0;
                }
            }
        }
        if (filled > 0) flush(pending, filled, reduce);
    }

    private void flush(List<Piece> pending, int filled, boolean reduce) {
        if (reduce) {
            world.allReduceSum(bucket, filled);
            bytesReduced += (long) filled * Float.BYTES;
        } else {
            world.broadcast(bucket, filled);
        }
        for (Piece piece : pending) {
            float[] target = piece.tensor.storage().floats();
            MemorySegment.copy(bucket, ValueLayout.JAVA_FLOAT, (long) piece.bucketOffset * Float.BYTES, target,
                    piece.tensor.offset() + piece.tensorOffset, piece.length);
            piece.tensor.storage().bumpVersion();
        }
        pending.clear();
    }

    /** {@code length} floats of {@code tensor} from {@code tensorOffset}, at {@code bucketOffset} in the bucket. */
    private record Piece(Tensor tensor, int tensorOffset, int bucketOffset, int length) {}
}
