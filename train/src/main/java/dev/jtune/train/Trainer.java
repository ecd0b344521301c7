package dev.jtune.train;

import dev.jtune.core.Generator;
import dev.jtune.core.MemoryScope;
import dev.jtune.core.Tensor;
import dev.jtune.nn.Parameter;
import dev.jtune.nn.PreTrainedCausalLM;
import dev.jtune.nn.PreTrainedModel;
import dev.jtune.train.data.DataCollator;
import dev.jtune.train.data.DataCollatorForLanguageModeling;
import dev.jtune.train.data.DataLoader;
import dev.jtune.train.data.Dataset;
import dev.jtune.train.data.ModelInputs;
import dev.jtune.train.distributed.Distributed;
import dev.jtune.train.distributed.GradientBuckets;
import dev.jtune.train.optim.AdamW;
import dev.jtune.train.optim.DecayParameters;
import dev.jtune.train.optim.GradClipping;
import dev.jtune.train.optim.LRScheduler;
import java.io.IOException;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.function.Supplier;

/**
 * Trains and evaluates a model with the semantics of {@code transformers.Trainer}: a causal LM by default, or what a
 * {@link TrainingObjective} says (TRL's reward model and DPO).
 *
 * <p>One optimizer step runs {@code gradientAccumulationSteps} micro-batches (fewer in the last window of an epoch).
 * The step's loss is the sum of the losses of all its micro-batches divided by their total count (for a causal LM the
 * number of predicted tokens, known from the labels before any forward pass), so each micro-batch backpropagates
 * {@code sum_loss / count} and the accumulated gradient is exactly that of one big batch. Then: the
 * global gradient norm is clipped to {@code maxGradNorm}, AdamW steps with the scheduler's learning rate, the
 * scheduler advances, gradients are cleared.
 *
 * <p>After each step, as the strategies ask and callbacks allow, it logs (mean loss since the last log, grad norm,
 * learning rate, the objective's metrics, epoch, step) into the state's {@code log_history}, evaluates and saves a checkpoint
 * ({@link TrainerCheckpoint}) that {@link #train(Path)} resumes from bit for bit. A NaN or infinite loss or gradient
 * norm stops training with a {@link NonFiniteLossException} before the bad update; saved checkpoints are untouched.
 *
 * <p>Started by {@code mpirun} with several ranks ({@link Distributed}), it trains data-parallel with accelerate's
 * semantics: the global batch is {@code per_device_train_batch_size x ranks}, each rank collates its share of the
 * single-process batch ({@link DataLoader#batchPart}), the count of predicted tokens and the loss are summed over the
 * ranks, and the gradients are summed once per optimizer step ({@link GradientBuckets}), so every rank makes the same
 * update as one process with the global batch. Rank 0's weights are broadcast at the start; rank 0 alone prints,
 * evaluates (the others wait and receive its metrics) and writes checkpoints and the model. A rank that fails aborts
 * the whole job ({@link Distributed#abort}). The training metrics then add {@code allreduce_bytes_per_step} (the
 * gradients' bytes), {@code allreduce_runtime} (seconds moving them) and {@code allreduce_wait_runtime} (seconds
 * waiting for the slowest rank at the step's end).
 */
public final class Trainer {

    private final PreTrainedModel model;
    private final TrainingObjective objective;
    private final TrainingArguments args;
    private final DataCollator collator;
    private final Dataset trainDataset;
    private final Dataset evalDataset;
    private final MetricLog trainMetrics = new MetricLog();
    private final List<TrainerCallback> callbacks = new ArrayList<>();
    private final CheckpointIO checkpointIO;
    private final FlopCounter flops;
    private final BestMetric bestMetric;
    private final Distributed world;
    private GradientBuckets buckets;

    private TrainerState state = new TrainerState();
    private final TrainerControl control = new TrainerControl();
    private AdamW optimizer;
    private LRScheduler scheduler;
    private LoopState loop = LoopState.START;
    private Path lastCheckpoint;

    /** A trainer with the default collator ({@link DataCollatorForLanguageModeling}) and no metrics beyond the loss. */
    public Trainer(PreTrainedCausalLM model, TrainingArguments args, Dataset trainDataset, Dataset evalDataset) {
        this(model, args, null, trainDataset, evalDataset, null, List.of());
    }

    /**
     * @param collator       turns rows into model inputs; null for {@link DataCollatorForLanguageModeling} padding
     *                       with the model's {@code pad_token_id} (or 0: padded positions are masked either way)
     * @param trainDataset   rows with {@code input_ids} (and {@code attention_mask}); null if only evaluating
     * @param evalDataset    rows for {@link #evaluate()}; may be null
     * @param computeMetrics makes a fresh metric for each evaluation; null for the loss only
     * @param callbacks      added after the progress bar (or log printer)
     */
    public Trainer(PreTrainedCausalLM model, TrainingArguments args, DataCollator collator, Dataset trainDataset,
                   Dataset evalDataset, Supplier<? extends StreamingMetrics> computeMetrics, List<TrainerCallback> callbacks) {
        this(new CausalLMObjective(model, computeMetrics), args,
                collator != null ? collator : DataCollatorForLanguageModeling.forModel(model), trainDataset, evalDataset,
                callbacks, new CheckpointIO());
    }

    /**
     * A trainer for {@code objective}'s model and loss (TRL's trainers build one).
     *
     * @param collator turns rows into the batches the objective reads
     */
    public Trainer(TrainingObjective objective, TrainingArguments args, DataCollator collator, Dataset trainDataset,
                   Dataset evalDataset, List<TrainerCallback> callbacks) {
        this(objective, args, collator, trainDataset, evalDataset, callbacks, new CheckpointIO());
    }

    Trainer(TrainingObjective objective, TrainingArguments args, DataCollator collator, Dataset trainDataset,
            Dataset evalDataset, List<TrainerCallback> callbacks, CheckpointIO checkpointIO) {
        this.model = objective.model();
        this.objective = objective;
        this.args = args;
        this.collator = java.util.Objects.requireNonNull(collator, "collator");
        this.trainDataset = trainDataset;
        this.evalDataset = evalDataset;
        this.checkpointIO = checkpointIO;
        this.world = Distributed.world();
        if (world.isMain()) this.callbacks.add(args.disableTqdm() ? new PrinterCallback() : new ProgressCallback());
        this.callbacks.addAll(callbacks);
        this.flops = new FlopCounter(model);
        this.bestMetric = new BestMetric(args);
    }

    /** Adds a callback after the existing ones. */
    public void addCallback(TrainerCallback callback) {
        callbacks.add(callback);
    }

    public TrainingArguments args() {
        return args;
    }

    public TrainerState state() {
        return state;
    }

    public PreTrainedModel model() {
        return model;
    }

    /**
     * Trains from scratch, or from {@code args.resumeFromCheckpoint()} when set (a checkpoint directory, or "last" for
     * the newest complete one in the output directory).
     */
    public TrainOutput train() throws IOException {
        String resume = args.resumeFromCheckpoint();
        if (resume == null) return train(null);
        if (resume.equals("last")) {
            Path last = CheckpointIO.latest(Path.of(args.outputDir()));
            if (last == null) throw new IOException("resume_from_checkpoint=last: no complete checkpoint in " + args.outputDir());
            return train(last);
        }
        return train(Path.of(resume));
    }

    /**
     * Trains, resuming from {@code checkpoint} (null: from the start): the result is as if never interrupted. The
     * outline of transformers' {@code _inner_training_loop}: plan the steps, create optimizer and scheduler, start or
     * resume, run the epochs, log the training metrics, load the best model if asked.
     */
    public TrainOutput train(Path checkpoint) throws IOException {
        if (world.size() == 1) return trainLoop(checkpoint);
        try {
            return trainLoop(checkpoint);
        } catch (IOException | RuntimeException | Error e) {  // the other ranks would wait in a collective forever
            world.abort(e.getClass().getSimpleName() + ": " + e.getMessage(), 1);
            throw e;
        }
    }

    private TrainOutput trainLoop(Path checkpoint) throws IOException {
        if (trainDataset == null) throw new IllegalStateException("Trainer.train: no training dataset");
        int globalBatch = args.perDeviceTrainBatchSize() * world.size();
        DataLoader loader = new DataLoader(trainDataset, globalBatch,
                args.trainSamplingStrategy() == SamplingStrategy.RANDOM, args.dataSeed(), args.dataloaderDropLast(), collator);
        if (loader.size() == 0) {
            throw new IllegalArgumentException("Trainer.train: " + trainDataset.size() + " training rows give no batch of "
                    + globalBatch + (args.dataloaderDropLast() ? " (dataloader_drop_last)" : ""));
        }
        TrainingPlan plan = TrainingPlan.of(args, loader.size());
        optimizer = createOptimizer();
        scheduler = new LRScheduler(args.lrSchedulerType(), args.learningRate(), plan.warmupSteps(), plan.maxSteps());
        startOrResume(checkpoint, plan);
        if (world.size() > 1) {
            buckets = new GradientBuckets(world);
            buckets.broadcast(model.parameters());
        }
        model.train(true);
        model.zeroGrad();

        long startNanos = System.nanoTime();
        int startStep = state.globalStep;
        control.setShouldTrainingStop(state.globalStep >= plan.maxSteps());
        each(c -> c.onTrainBegin(args, state, control));
        for (int epoch = loop.epoch(); epoch < plan.epochs() && !control.shouldTrainingStop(); epoch++) {
            trainEpoch(loader, plan, epoch);
        }
        double trainLoss = state.globalStep == 0 ? 0 : loop.totalLoss() / state.globalStep;
        Map<String, Object> metrics = trainMetrics((System.nanoTime() - startNanos) / 1e9, state.globalStep - startStep, trainLoss);
        log(metrics);
        if (args.loadBestModelAtEnd() && state.bestModelCheckpoint != null) {
            TrainerCheckpoint.loadWeights(Path.of(state.bestModelCheckpoint), model);
        }
        each(c -> c.onTrainEnd(args, state, control));
        return new TrainOutput(state.globalStep, trainLoss, metrics);
    }

    /** Restores weights, optimizer, scheduler, loop and trainer state from {@code checkpoint}, or starts afresh. */
    private void startOrResume(Path checkpoint, TrainingPlan plan) throws IOException {
        if (checkpoint != null) {
            loop = TrainerCheckpoint.restore(checkpoint, model, optimizer, scheduler);
            state = TrainerState.load(checkpoint.resolve(CheckpointIO.COMPLETE_MARKER));
            lastCheckpoint = checkpoint;
        } else {
            loop = LoopState.START;
            state = new TrainerState();
            Generator dropout = model.dropoutGenerator();
            if (dropout != null) dropout.manualSeed(args.seed());
        }
        state.maxSteps = plan.maxSteps();
        state.numTrainEpochs = plan.epochs();
        state.loggingSteps = args.loggingSteps();
        state.evalSteps = args.evalSteps();
        state.saveSteps = args.saveSteps();
        state.trainBatchSize = args.perDeviceTrainBatchSize();
    }

    /** One epoch's optimizer steps from where the loop state stands, each followed by its log/evaluate/save. */
    private void trainEpoch(DataLoader loader, TrainingPlan plan, int epoch) throws IOException {
        int[] order = loader.order(epoch);
        int firstWindow = epoch == loop.epoch() ? loop.window() : 0;
        int accumulation = args.gradientAccumulationSteps();
        control.setShouldEpochStop(false);
        each(c -> c.onEpochBegin(args, state, control));
        for (int w = firstWindow; w < plan.stepsPerEpoch(); w++) {
            each(c -> c.onStepBegin(args, state, control));
            int from = w * accumulation, to = Math.min(plan.microPerEpoch(), from + accumulation);
            trainingStep(loader, order, from, to, epoch);
            state.epoch = epoch + (double) to / plan.microPerEpoch();
            loop = loop.at(epoch, w + 1);
            stepFlow(plan.maxSteps());
            each(c -> c.onStepEnd(args, state, control));
            maybeLogSaveEvaluate();
            if (control.shouldEpochStop() || control.shouldTrainingStop()) break;
        }
        loop = loop.at(epoch + 1, 0);
        control.setShouldLog(args.loggingStrategy() == IntervalStrategy.EPOCH);
        control.setShouldEvaluate(args.evalStrategy() == IntervalStrategy.EPOCH);
        control.setShouldSave(args.saveStrategy() == IntervalStrategy.EPOCH);
        each(c -> c.onEpochEnd(args, state, control));
        maybeLogSaveEvaluate();
    }

    private Map<String, Object> trainMetrics(double runtime, int steps, double trainLoss) {
        Map<String, Object> metrics = new LinkedHashMap<>();
        metrics.put("train_runtime", round(runtime, 4));
        metrics.put("train_samples_per_second",
                round((double) steps * args.gradientAccumulationSteps() * args.perDeviceTrainBatchSize() * world.size()
                        / runtime, 3));
        metrics.put("train_steps_per_second", round(steps / runtime, 3));
        metrics.put("total_flos", state.totalFlos);
        metrics.put("train_loss", trainLoss);
        if (buckets != null && steps > 0) {
            metrics.put("allreduce_bytes_per_step", buckets.bytesReduced() / steps);
            metrics.put("allreduce_runtime", round(buckets.seconds(), 4));
            metrics.put("allreduce_wait_runtime", round(buckets.waitSeconds(), 4));
        }
        return metrics;
    }

    /**
     * Micro-batches {@code [from, to)} of the epoch (this rank's share of each): forward, backward, (the sums over the
     * ranks,) clip, AdamW, schedule.
     */
    private void trainingStep(DataLoader loader, int[] order, int from, int to, int epoch) {
        int step = state.globalStep + 1;
        List<ModelInputs> batches = new ArrayList<>(to - from);
        long count = 0, tokens = 0;
        for (int b = from; b < to; b++) {
            ModelInputs batch = world.size() == 1 ? loader.batch(order, b) : loader.batchPart(order, b, world.rank(), world.size());
            if (batch == null) continue;
            batches.add(batch);
            count += objective.count(batch);
            tokens += batch.inputIds().numel();
        }
        if (world.size() > 1) {  // every rank divides by the count of the whole global batch
            double[] totals = {count, tokens};
            world.allReduceSum(totals);
            count = (long) totals[0];
            tokens = (long) totals[1];
        }
        if (count == 0) throw nonFinite(step, epoch, "has no token to predict (every label is -100), so its loss is 0/0");
        double lossSum = 0;
        for (ModelInputs batch : batches) {
            try (MemoryScope micro = MemoryScope.open()) {  // activations and logits go back to the pool at the end
                Tensor sum = objective.lossSum(batch, trainMetrics);
                lossSum += sum.item();
                sum.div(count).backward();
            }
        }
        if (world.size() > 1) lossSum = buckets.allReduce(model.parameters(), lossSum);
        double loss = lossSum / count;
        if (!Double.isFinite(loss)) throw nonFinite(step, epoch, "loss is " + loss);
        List<Parameter> parameters = model.trainableParameters();  // frozen ones (a LoRA base) have no gradient
        float gradNorm = GradClipping.totalNorm(parameters);
        if (!Float.isFinite(gradNorm)) throw nonFinite(step, epoch, "gradient norm is " + gradNorm + " (loss " + loss + ")");
        double lr = scheduler.lr();
        optimizer.setLr(lr);
        // clip_grad_norm_'s scaling, applied as AdamW reads each gradient (GradClipping.clipGradNorm's bits)
        optimizer.step(GradClipping.clipCoefficient(gradNorm, args.maxGradNorm() > 0 ? args.maxGradNorm()
                : Double.POSITIVE_INFINITY));
        scheduler.step();
        model.zeroGrad();
        state.globalStep = step;
        state.totalFlos += flops.flos(tokens);
        loop = loop.afterStep(loss, gradNorm, lr);
    }

    private NonFiniteLossException nonFinite(int step, int epoch, String what) {
        model.zeroGrad();
        String where = lastCheckpoint != null ? "the last good checkpoint is " + lastCheckpoint
                : "no checkpoint was saved before it";
        return new NonFiniteLossException("training stopped at step " + step + " (epoch " + epoch + "): the step "
                + what + "; the step was not applied and " + where, step);
    }

    /** transformers' DefaultFlowCallback.on_step_end: which of log/evaluate/save this step asks for. */
    private void stepFlow(int maxSteps) {
        int step = state.globalStep;
        control.setShouldLog(args.loggingStrategy() == IntervalStrategy.STEPS && step % args.loggingSteps() == 0);
        control.setShouldEvaluate(args.evalStrategy() == IntervalStrategy.STEPS && step % args.evalSteps() == 0);
        control.setShouldSave(args.saveStrategy() == IntervalStrategy.STEPS && step % args.saveSteps() == 0);
        if (step >= maxSteps) {
            control.setShouldTrainingStop(true);
            if (args.saveStrategy() == IntervalStrategy.STEPS) control.setShouldSave(true);
        }
    }

    private void maybeLogSaveEvaluate() throws IOException {
        if (control.shouldLog() && loop.stepsSinceLog() > 0) {
            Map<String, Object> logs = new LinkedHashMap<>();
            logs.put("loss", loop.lossSinceLog() / loop.stepsSinceLog());
            if (args.maxGradNorm() > 0) logs.put("grad_norm", loop.lastGradNorm());
            logs.put("learning_rate", loop.lastLr());
            logs.putAll(trainMetrics.drain());
            loop = loop.afterLog();
            log(logs);
        }
        Map<String, Double> metrics = null;
        if (control.shouldEvaluate()) {
            metrics = evaluate();
            bestMetric.update(state, metrics);
        }
        if (control.shouldSave()) {
            saveCheckpoint();
            each(c -> c.onSave(args, state, control));
        }
        control.resetStepFlags();
    }

    /** Rank 0 writes the checkpoint; the other ranks wait until it is complete. */
    private void saveCheckpoint() throws IOException {
        Path outputDir = Path.of(args.outputDir());
        Path dir = outputDir.resolve(CheckpointIO.PREFIX + state.globalStep);
        if (state.bestGlobalStep != null && state.bestGlobalStep == state.globalStep) state.bestModelCheckpoint = dir.toString();
        if (world.isMain()) {
            checkpointIO.save(outputDir, state.globalStep, TrainerCheckpoint.parts(model, optimizer, scheduler, loop, state, args));
            CheckpointRotation.rotate(outputDir, args.saveTotalLimit(), state.bestModelCheckpoint);
        }
        world.barrier();
        lastCheckpoint = dir;
    }

    /** Evaluates on the evaluation dataset; see {@link #evaluate(Dataset, String)}. */
    public Map<String, Double> evaluate() {
        if (evalDataset == null) throw new IllegalStateException("Trainer.evaluate: no evaluation dataset");
        return evaluate(evalDataset, "eval");
    }

    /**
     * The loss ({@code <prefix>_loss}, the token-weighted mean of {@link Evaluation}) and the metrics of
     * {@code dataset}, plus runtime and throughput; logged into the log history and passed to the callbacks.
     */
    public Map<String, Double> evaluate(Dataset dataset, String metricKeyPrefix) {
        Map<String, Double> metrics = world.size() == 1 ? evaluateHere(dataset, metricKeyPrefix)
                : fromMain(world.isMain() ? evaluateHere(dataset, metricKeyPrefix) : null);
        log(new LinkedHashMap<>(metrics));
        each(c -> c.onEvaluate(args, state, control, metrics));
        return metrics;
    }

    private Map<String, Double> evaluateHere(Dataset dataset, String metricKeyPrefix) {
        long start = System.nanoTime();
        TrainingObjective.Evaluated result = objective.evaluate(evalLoader(dataset));
        Map<String, Double> metrics = new LinkedHashMap<>();
        result.metrics().forEach((k, v) -> metrics.put(metricKeyPrefix + "_" + k, v));
        addSpeed(metrics, metricKeyPrefix, result.rows(), result.batches(), (System.nanoTime() - start) / 1e9);
        return metrics;
    }

    /** Rank 0's metrics on every rank: the others wait (sleeping) while rank 0 evaluates alone. */
    private Map<String, Double> fromMain(Map<String, Double> metrics) {
        try {
            world.barrier();
            byte[] json = world.broadcast(world.isMain() ? TrainingArguments.JSON.writeValueAsBytes(metrics) : null);
            Map<String, Double> shared = new LinkedHashMap<>();
            TrainingArguments.JSON.readTree(json).properties().forEach(e -> shared.put(e.getKey(), e.getValue().asDouble()));
            return shared;
        } catch (IOException e) {
            throw new java.io.UncheckedIOException(e);
        }
    }

    /** Runs the causal LM over {@code dataset}: argmax predictions and labels per batch, and {@code test_} metrics. */
    public PredictionOutput predict(Dataset dataset) {
        if (!(objective instanceof CausalLMObjective lm)) {
            throw new IllegalStateException("Trainer.predict: next-token predictions need a causal LM objective");
        }
        long start = System.nanoTime();
        StreamingMetrics metric = lm.newMetric();
        Evaluation.Result result = Evaluation.run(lm.model(), evalLoader(dataset), metric, true, null);
        Map<String, Double> metrics = new LinkedHashMap<>();
        metrics.put("test_loss", result.loss());
        if (metric != null) metric.compute().forEach((k, v) -> metrics.put("test_" + k, v));
        addSpeed(metrics, "test", result.rows(), result.batches(), (System.nanoTime() - start) / 1e9);
        each(c -> c.onPredict(args, state, control, metrics));
        return new PredictionOutput(result.predictions(), result.labels(), metrics);
    }

    /**
     * Writes the model ({@code model.safetensors}, {@code config.json}; for a model with adapters the adapter folder,
     * {@code adapter_model.safetensors} and {@code adapter_config.json}) and {@code training_args.json} to {@code dir};
     * only on rank 0 when data-parallel.
     */
    public void saveModel(Path dir) throws IOException {
        if (!world.isMain()) return;
        model.savePretrained(dir);
        args.save(dir.resolve(TrainerCheckpoint.TRAINING_ARGS));
    }

    /** {@link #saveModel(Path)} into the output directory. */
    public void saveModel() throws IOException {
        saveModel(Path.of(args.outputDir()));
    }

    private DataLoader evalLoader(Dataset dataset) {
        return DataLoader.sequential(dataset, args.perDeviceEvalBatchSize(), collator);
    }

    private static void addSpeed(Map<String, Double> metrics, String prefix, int rows, int batches, double runtime) {
        metrics.put(prefix + "_runtime", round(runtime, 4));
        metrics.put(prefix + "_samples_per_second", round(rows / runtime, 3));
        metrics.put(prefix + "_steps_per_second", round(batches / runtime, 3));
    }

    /** Appends {@code logs} + epoch + step to the log history, as transformers' {@code Trainer.log}. */
    private void log(Map<String, ?> logs) {
        Map<String, Object> entry = new LinkedHashMap<>(logs);
        if (state.epoch != null) entry.put("epoch", state.epoch);
        entry.put("step", state.globalStep);
        state.logHistory.add(entry);
        each(c -> c.onLog(args, state, control, entry));
    }

    private AdamW createOptimizer() {
        Set<String> decay = DecayParameters.names(model);
        Map<String, Parameter> withDecay = new LinkedHashMap<>(), withoutDecay = new LinkedHashMap<>();
        model.namedParameters().forEach((name, p) -> {
            if (p.requiresGrad()) (decay.contains(name) ? withDecay : withoutDecay).put(name, p);  // frozen: no state
        });
        return new AdamW(List.of(new AdamW.ParamGroup(withDecay, args.weightDecay()), new AdamW.ParamGroup(withoutDecay, 0)),
                args.learningRate(), args.adamBeta1(), args.adamBeta2(), args.adamEpsilon());
    }

    private void each(java.util.function.Consumer<TrainerCallback> event) {
        callbacks.forEach(event);
    }

    private static double round(double value, int digits) {
        double scale = Math.pow(10, digits);
        return Math.round(value * scale) / scale;
    }
}
