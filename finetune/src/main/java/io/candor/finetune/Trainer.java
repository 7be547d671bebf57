package io.candor.finetune;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDManager;
import ai.djl.training.GradientCollector;
import io.candor.finetune.penalty.Cdep;
import io.candor.finetune.penalty.InputGradientPenalty;
import io.candor.finetune.penalty.OutputPenalty;
import io.candor.finetune.penalty.Penalty;
import io.candor.finetune.penalty.SampledPenalty;
import io.candor.interop.CandorException;
import io.candor.interop.exec.Engines;
import io.candor.interop.exec.Executor;
import io.candor.interop.exec.vjp.InputGradient;
import io.candor.interop.tensor.HostTensor;
import io.candor.interop.tensor.Tensors;
import io.candor.models.data.DatasetSplit;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Random;
import java.util.function.Supplier;

/**
 * Trains an ONNX model on the executor: cross-entropy, Adam or SGD with momentum, weight decay,
 * shuffled mini-batches from one seed, validation each epoch and early stopping that restores the best
 * weights and running statistics. Every weight is trained, or only those after a cut tensor, and then
 * everything up to the cut is frozen as a whole: evaluation mode, running statistics kept. Elsewhere
 * Dropout drops while training and BatchNormalization uses the batch's statistics and updates the
 * running ones, as in PyTorch; the running statistics are state, never trained by gradient.
 */
public final class Trainer implements AutoCloseable {
    private final Executor executor;
    private final TrainingConfig config;
    private final List<String> trainable;
    /** What early stopping saves and restores: the trained weights and the running statistics they update. */
    private final List<String> state;
    private final String input;
    private final String output;
    private final Optimizer optimizer;
    private final CrossEntropy loss;
    private final Objective objective;
    private final InputGradient inputGradient;
    /** What the bias score measures, whatever the penalty: CDEP's share of the spurious region. */
    private final Cdep biasScore = new Cdep();

    public Trainer(Executor executor, TrainingConfig config) {
        this(executor, config, Objective.crossEntropy());
    }

    /** A trainer that minimises cross-entropy plus lambda times the objective's penalty. */
    public Trainer(Executor executor, TrainingConfig config, Objective objective) {
        this.executor = executor;
        this.objective = objective;
        this.config = config;
        this.trainable = executor.weightsAfter(config.cut());
        this.state = new ArrayList<>(trainable);
        state.addAll(executor.runningStatisticsAfter(config.cut()));
        if (trainable.isEmpty()) {
            throw new CandorException("no weights to train" + (config.cut() == null ? "" : " after '" + config.cut() + "'"));
        }
        this.input = executor.singleInput();
        this.output = executor.graph().outputs().get(0).name();
        this.optimizer = Optimizer.of(config);
        this.loss = new CrossEntropy(config.classWeights());
        this.inputGradient = new InputGradient(executor);
    }

    /** What a run returns: the metrics of every epoch. */
    public record Result(List<EpochMetrics> epochs) {
    }

    /** Listens to progress: batches done in the epoch, and each finished epoch. */
    public interface Listener {
        default void batch(int epoch, int done, int total, double loss) {
        }

        /**
         * An epoch finished; {@code state} gives where the run stands (with the executor's current
         * weights, everything a checkpoint needs), computed only if asked for.
         */
        default void epoch(EpochMetrics metrics, Supplier<TrainingState> state) {
        }
    }

    /**
     * Trains from the executor's current weights for the epochs up to {@code config.epochs()}, then puts
     * the best epoch's weights and running statistics in place. With {@code resume} (the state a listener
     * was given after some epoch, and the weights of that moment in the executor) it continues as if the
     * run had never stopped: the same shuffling and dropout draws, optimizer moments, best loss and
     * patience count.
     */
    public Result train(DatasetSplit train, DatasetSplit val, TrainingState resume, Listener listener) {
        try (InputBatches trainBatches = new InputBatches(train, input, config.batchSize());
                InputBatches valBatches = new InputBatches(val, input, config.batchSize())) {
            return train(trainBatches, valBatches, resume, listener);
        }
    }

    /**
     * {@link #train(DatasetSplit, DatasetSplit, TrainingState, Listener)} on batches from elsewhere, such
     * as a {@link FrozenPrefix}'s: they must be fed at the model's input or at the cut.
     */
    public Result train(TrainingData train, TrainingData val, TrainingState resume, Listener listener) {
        List<EpochMetrics> history = new ArrayList<>(resume == null ? List.of() : resume.history());
        Map<String, HostTensor> best = resume == null || resume.best().isEmpty() ? null : resume.best();
        double bestLoss = resume == null ? Double.POSITIVE_INFINITY : resume.bestLoss();
        int sinceBest = resume == null ? 0 : resume.sinceBest();
        // A run that had stopped early stays stopped: resuming only puts its best epoch in place.
        boolean stopped = resume != null && config.patience() > 0 && resume.sinceBest() >= config.patience();
        int firstEpoch = resume == null ? 1 : stopped ? config.epochs() + 1 : resume.epoch() + 1;
        if (resume != null) {
            optimizer.restore(resume.optimizer());
        }
        prepare(true);
        try {
            for (int epoch = firstEpoch; epoch <= config.epochs(); epoch++) {
                long start = System.nanoTime();
                // Each epoch's draws follow from the seed and the epoch alone, so a resumed run repeats them.
                Random random = new Random(config.seed() * 1_000_003L + epoch);
                Engines.pytorch().setRandomSeed((int) (config.seed() * 7919 + epoch));
                double[] trainStats = trainEpoch(train, random, epoch, listener);
                double[] valStats = evaluate(val);
                boolean improved = valStats[0] < bestLoss;
                if (improved) {
                    bestLoss = valStats[0];
                    best = snapshot(state);
                    sinceBest = 0;
                } else {
                    sinceBest++;
                }
                EpochMetrics m = new EpochMetrics(epoch, trainStats[0], trainStats[1], valStats[0], valStats[1],
                        (System.nanoTime() - start) / 1e9, improved, trainStats[2],
                        Double.isNaN(valStats[2]) ? null : valStats[2]);
                history.add(m);
                int done = epoch;
                double lowest = bestLoss;
                int waited = sinceBest;
                Map<String, HostTensor> kept = best == null ? Map.of() : best;
                listener.epoch(m, () -> new TrainingState(done, lowest, waited, history, kept, optimizer.state()));
                if (config.patience() > 0 && sinceBest >= config.patience()) {
                    break;
                }
            }
        } finally {
            prepare(false);
        }
        if (best != null) {
            restore(best);
        }
        return new Result(history);
    }

    /** Mean loss, accuracy and mean penalty (over the batches that had one; 0 if none did). */
    private double[] trainEpoch(TrainingData batches, Random random, int epoch, Listener listener) {
        long[] order = batches.order(random);
        double lossSum = 0;
        long correct = 0;
        double penaltySum = 0;
        int penalised = 0;
        for (int b = 0; b < batches.count(); b++) {
            try (NDManager manager = Engines.newManager()) {
                Batch batch = batches.get(manager, order, b);
                Step step;
                try {
                    step = step(batch);
                } catch (CandorException e) {
                    throw new CandorException(e.getMessage() + " (epoch " + epoch + ", batch " + (b + 1) + ")", e);
                }
                if (!Float.isNaN(step.penalty())) {
                    penaltySum += step.penalty();
                    penalised++;
                }
                double batchLoss = step.loss();
                lossSum += batchLoss * batch.size();
                correct += correct(step.logits(), batch.labels());
                listener.batch(epoch, b + 1, batches.count(), batchLoss);
            }
        }
        return new double[] {lossSum / batches.rows(), correct / (double) batches.rows(),
            penalised == 0 ? 0 : penaltySum / penalised};
    }

    /**
     * One optimisation step in training mode: forward, cross-entropy, backward, optimizer update,
     * gradients cleared. Returns the logits (computed before the update) and the loss. The trained
     * weights must require gradients, as {@link #train} arranges; a benchmark can call {@link #prepare}.
     */
    public Step step(NDManager batch, NDArray x, NDArray y) {
        return step(batch, x, y, null);
    }

    /**
     * One step of the objective: cross-entropy plus lambda times the penalty of the samples that
     * {@code spurious} marks (per sample, broadcastable to x; {@code null}: no penalty), with one
     * backward pass and one optimizer step for both terms.
     */
    public Step step(NDManager batch, NDArray x, NDArray y, NDArray spurious) {
        return step(Batch.ofInputs(batch, input, x, y, spurious));
    }

    /** {@link #step(NDManager, NDArray, NDArray, NDArray)} on a batch fed at the input or at the cut. */
    public Step step(Batch batch) {
        Penalty chosen = objective.penalises() ? objective.penalty() : null;
        float lambda = objective.lambda();
        if (chosen != null && chosen.needsInput() && !batch.fed().equals(input)) {
            throw new CandorException("--penalty needs each batch's input: batches from the model's input, not from a"
                    + " cached prefix");
        }
        NDArray logits;
        float reported;
        float penaltyValue = Float.NaN;
        boolean training = executor.isTraining();
        executor.setTraining(true);
        try (GradientCollector collector = Engines.pytorch().newGradientCollector()) {
            Terms terms = terms(batch, chosen);
            logits = terms.logits();
            NDArray value = loss.loss(logits, batch.labels());
            if (terms.penalty() != null) {
                penaltyValue = terms.penalty().getFloat();
                value = value.add(Tensors.times(terms.penalty(), lambda));
            }
            reported = value.getFloat();
            collector.backward(value);
            if (chosen instanceof SampledPenalty sampled) {
                // Its pieces' gradients add to the cross-entropy's before the one optimizer step below.
                penaltyValue = sampled.accumulate(executor, inputGradient, batch, lambda, collector::backward);
                reported += Float.isNaN(penaltyValue) ? 0 : lambda * penaltyValue;
            }
            if (!Float.isFinite(reported)) {
                throw new CandorException("the training loss became " + reported + "; lower the learning rate");
            }
        } catch (RuntimeException e) {
            clearGradients(); // a failed step must not leave its gradients for the next one
            throw e;
        } finally {
            executor.setTraining(training);
        }
        return finish(logits, reported, penaltyValue);
    }

    /** The logits and, for a penalty computed with them, the penalty. */
    private record Terms(NDArray logits, NDArray penalty) {
    }

    private Terms terms(Batch batch, Penalty chosen) {
        if (chosen instanceof InputGradientPenalty p) {
            // With respect to what the batch is fed at: the input (RRR checks it is), or the cut (RR-ClArC).
            InputGradient.Pass pass = inputGradient.forward(batch.manager(), batch.feeds(), batch.fed(), output);
            NDArray logits = pass.output();
            return new Terms(logits, p.fromInputGradient(pass.inputGradient(p.seed(logits, batch.labels(), loss)),
                    batch.spurious()));
        }
        if (chosen instanceof OutputPenalty cd) {
            OutputPenalty.Forward fused = cd.forward(executor, batch);
            if (fused != null) {
                return new Terms(fused.logits(), fused.penalty());
            }
            NDArray logits = executor.run(batch.manager(), batch.feeds(), List.of(output)).get(output);
            return new Terms(logits, cd.value(executor, batch));
        }
        return new Terms(executor.run(batch.manager(), batch.feeds(), List.of(output)).get(output), null);
    }

    /** The optimizer's update from the accumulated gradients, which it then clears. */
    private Step finish(NDArray logits, float loss, float penalty) {
        try (NDManager scratch = Engines.newManager()) {
            for (String name : trainable) {
                NDArray weight = executor.weight(name);
                try (NDArray grad = weight.getGradient()) {
                    optimizer.update(scratch, name, weight, grad);
                }
            }
        }
        clearGradients();
        return new Step(logits.stopGradient(), loss, penalty);
    }

    /** Zeroes the trained weights' gradients (in place: NaN and infinity too, which grad - grad would keep). */
    private void clearGradients() {
        for (String name : trainable) {
            // libtorch's zero_grad skips a weight that has no gradient yet.
            ai.djl.pytorch.jni.JniUtils.zeroGrad((ai.djl.pytorch.engine.PtNDArray) executor.weight(name));
        }
    }

    /** What one step computed: logits before the update, the objective's value, the penalty (NaN if none). */
    public record Step(NDArray logits, float loss, float penalty) {
    }

    /**
     * Marks the trained weights as requiring gradients and freezes everything before the cut as a whole
     * (evaluation mode there), or undoes both; train does this itself.
     */
    public void prepare(boolean on) {
        trainable.forEach(name -> executor.weight(name).setRequiresGradient(on));
        executor.freezeUpTo(on ? config.cut() : null);
    }

    private static long correct(NDArray logits, NDArray labels) {
        return logits.argMax(1).eq(labels).sum().toType(ai.djl.ndarray.types.DataType.INT64, false).getLong();
    }

    /**
     * Mean loss and accuracy in evaluation mode, and with a penalty the bias score: CDEP's share of the
     * spurious region in the logits (whatever the penalty, so that runs compare) over the samples that
     * carry a mask, or NaN when none does.
     */
    private double[] evaluate(TrainingData batches) {
        long[] order = batches.order(null);
        double lossSum = 0;
        long correct = 0;
        double biasSum = 0;
        long marked = 0;
        for (int b = 0; b < batches.count(); b++) {
            try (NDManager manager = Engines.newManager()) {
                Batch batch = batches.get(manager, order, b);
                // With a penalty, the decomposition's totals are the logits: one pass gives both.
                OutputPenalty.Forward both = objective.penalty() == null ? null : biasScore.biasScore(executor, batch);
                NDArray logits = both != null ? both.logits()
                        : executor.run(manager, batch.feeds(), List.of(output)).get(output);
                lossSum += loss.loss(logits, batch.labels()).getFloat() * batch.size();
                correct += correct(logits, batch.labels());
                if (both != null) {
                    long rows = batch.cdStart().samples();
                    biasSum += both.penalty().getFloat() * rows;
                    marked += rows;
                }
            }
        }
        return new double[] {lossSum / batches.rows(), correct / (double) batches.rows(),
            marked == 0 ? Double.NaN : biasSum / marked};
    }

    /** Puts saved values back in place (in-place arithmetic: NDArray.set makes libtorch print a warning). */
    private void restore(Map<String, HostTensor> values) {
        try (NDManager scratch = Engines.newManager()) {
            values.forEach((name, value) -> {
                NDArray weight = executor.weight(name);
                weight.muli(0).addi(value.toNDArray(scratch));
            });
        }
    }

    private Map<String, HostTensor> snapshot(List<String> names) {
        Map<String, HostTensor> copy = new LinkedHashMap<>();
        names.forEach(n -> copy.put(n, HostTensor.of(executor.weight(n))));
        return copy;
    }

    /** Frees the optimizer's state. */
    @Override
    public void close() {
        optimizer.close();
    }
}
