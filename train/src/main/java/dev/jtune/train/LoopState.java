package dev.jtune.train;

/**
 * The training loop's own state beyond transformers' {@code trainer_state.json}, saved as {@code data_state.json} so
 * a resumed run continues bit for bit: the data position and the running loss sums behind the logged averages.
 *
 * @param epoch         the epoch the next optimizer step belongs to
 * @param window        the next step's index within that epoch (a window of gradient-accumulation micro-batches)
 * @param lossSinceLog  the sum of step losses not yet logged
 * @param stepsSinceLog how many steps that sum covers
 * @param totalLoss     the sum of all step losses (for {@code train_loss})
 * @param lastGradNorm  the last step's gradient norm (logged at epoch ends)
 * @param lastLr        the last step's learning rate (logged at epoch ends)
 */
record LoopState(int epoch, int window, double lossSinceLog, int stepsSinceLog, double totalLoss, double lastGradNorm,
                 double lastLr) {

    static final LoopState START = new LoopState(0, 0, 0, 0, 0, 0, 0);

    /** The same sums, with the next step at {@code window} of {@code epoch}. */
    LoopState at(int epoch, int window) {
        return new LoopState(epoch, window, lossSinceLog, stepsSinceLog, totalLoss, lastGradNorm, lastLr);
    }

    /** The sums after one more optimizer step with this loss, gradient norm and learning rate. */
    LoopState afterStep(double loss, double gradNorm, double lr) {
        return new LoopState(epoch, window, lossSinceLog + loss, stepsSinceLog + 1, totalLoss + loss, gradNorm, lr);
    }

    /** The state once the running loss has been logged: a fresh sum since the log. */
    LoopState afterLog() {
        return new LoopState(epoch, window, 0, 0, totalLoss, lastGradNorm, lastLr);
    }
}
