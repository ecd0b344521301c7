package dev.jtune.train.optim;

/**
 * A {@code LambdaLR} with one of transformers' schedule lambdas: after {@code lastEpoch} optimizer steps the learning
 * rate is {@code baseLr * lambda(lastEpoch)}. The lambdas are transformers' {@code get_scheduler} ones, verbatim:
 * <ul>
 *   <li>linear: {@code step / max(1, warmup)} during warmup, then
 *       {@code max(0, (total - step) / max(1, total - warmup))};
 *   <li>cosine: warmup as linear, then {@code max(0, 0.5 (1 + cos(pi * 2 * 0.5 * progress)))} with
 *       {@code progress = (step - warmup) / max(1, total - warmup)};
 *   <li>constant: 1;
 *   <li>constant_with_warmup: {@code step / max(1, warmup)} during warmup, then 1.
 * </ul>
 * Its state is one integer, {@link #lastEpoch()} (torch's name), saved in checkpoints.
 */
public final class LRScheduler {

    private static final double NUM_CYCLES = 0.5;

    private final SchedulerType type;
    private final double baseLr;
    private final int warmupSteps;
    private final int trainingSteps;
    private int lastEpoch;

    public LRScheduler(SchedulerType type, double baseLr, int warmupSteps, int trainingSteps) {
        if (warmupSteps < 0) throw new IllegalArgumentException("LRScheduler: warmup steps must be >= 0, got " + warmupSteps);
        this.type = type;
        this.baseLr = baseLr;
        this.warmupSteps = warmupSteps;
        this.trainingSteps = trainingSteps;
    }

    /** The learning rate for the next optimizer step. */
    public double lr() {
        return baseLr * lambda(type, lastEpoch, warmupSteps, trainingSteps);
    }

    /** Moves to the next step (called after each optimizer step). */
    public void step() {
        lastEpoch++;
    }

    /** How many steps were taken. */
    public int lastEpoch() {
        return lastEpoch;
    }

    /** Restores the step count from a checkpoint. */
    public void setLastEpoch(int steps) {
        if (steps < 0) throw new IllegalArgumentException("LRScheduler: step count must be >= 0, got " + steps);
        lastEpoch = steps;
    }

    /** The factor the base learning rate is multiplied by at {@code step}. */
    public static double lambda(SchedulerType type, int step, int warmup, int total) {
        return switch (type) {
            case CONSTANT -> 1.0;
            case CONSTANT_WITH_WARMUP -> step < warmup ? (double) step / Math.max(1.0, warmup) : 1.0;
            case LINEAR -> step < warmup ? (double) step / Math.max(1, warmup)
                    : Math.max(0.0, (double) (total - step) / Math.max(1, total - warmup));
            case COSINE -> {
                if (step < warmup) yield (double) step / Math.max(1, warmup);
                double progress = (double) (step - warmup) / Math.max(1, total - warmup);
                yield Math.max(0.0, 0.5 * (1.0 + Math.cos(Math.PI * NUM_CYCLES * 2.0 * progress)));
            }
        };
    }
}
