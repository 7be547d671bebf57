package io.candor.finetune;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDManager;
import ai.djl.training.GradientCollector;
import ai.djl.training.optimizer.Optimizer;
import ai.djl.training.tracker.Tracker;
import io.candor.interop.CandorException;
import io.candor.interop.exec.Engines;
import io.candor.interop.exec.Executor;
import io.candor.interop.tensor.HostTensor;
import io.candor.models.data.DatasetSplit;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Random;
import java.util.function.Consumer;

/**
 * Trains an ONNX model on the executor: cross-entropy, Adam or SGD with momentum, weight decay,
 * shuffled mini-batches from one seed, validation each epoch and early stopping that restores the best
 * weights. Every weight is trained, or only those after a cut tensor. Dropout drops while training and
 * BatchNormalization uses the batch's statistics, as in PyTorch; running statistics are not updated yet.
 */
public final class Trainer {
    private final Executor executor;
    private final TrainingConfig config;

    public Trainer(Executor executor, TrainingConfig config) {
        this.executor = executor;
        this.config = config;
    }

    /** What a run returns: the metrics of every epoch. */
    public record Result(List<EpochMetrics> epochs) {
    }

    /** Listens to progress: batches done in the epoch, and each finished epoch. */
    public interface Listener {
        default void batch(int epoch, int done, int total, double loss) {
        }

        default void epoch(EpochMetrics metrics) {
        }
    }

    public Result train(DatasetSplit train, DatasetSplit val, int firstEpoch, Listener listener) {
        List<String> trainable = config.cut() == null ? floatingWeights() : executor.weightsAfter(config.cut());
        if (trainable.isEmpty()) {
            throw new CandorException("no weights to train" + (config.cut() == null ? "" : " after '" + config.cut() + "'"));
        }
        String input = executor.singleInput();
        String output = executor.graph().outputs().get(0).name();
        Optimizer optimizer = optimizer();
        Random random = new Random(config.seed());
        Engines.pytorch().setRandomSeed((int) config.seed());
        List<EpochMetrics> history = new ArrayList<>();
        Map<String, HostTensor> best = null;
        double bestLoss = Double.POSITIVE_INFINITY;
        int sinceBest = 0;
        try (NDManager data = Engines.newManager()) {
            Batches trainBatches = new Batches(train, data, config.batchSize());
            Batches valBatches = new Batches(val, data, config.batchSize());
            CrossEntropy loss = new CrossEntropy(config.classWeights() == null ? null : data.create(config.classWeights()));
            trainable.forEach(name -> executor.weight(name).setRequiresGradient(true));
            try {
                for (int epoch = firstEpoch; epoch <= config.epochs(); epoch++) {
                    long start = System.nanoTime();
                    double[] trainStats = trainEpoch(trainBatches, random, loss, optimizer, trainable, input, output,
                            epoch, listener);
                    double[] valStats = evaluate(valBatches, loss, input, output);
                    boolean improved = valStats[0] < bestLoss;
                    if (improved) {
                        bestLoss = valStats[0];
                        best = snapshot(trainable);
                        sinceBest = 0;
                    } else {
                        sinceBest++;
                    }
                    EpochMetrics m = new EpochMetrics(epoch, trainStats[0], trainStats[1], valStats[0], valStats[1],
                            (System.nanoTime() - start) / 1e9, improved);
                    history.add(m);
                    listener.epoch(m);
                    if (config.patience() > 0 && sinceBest >= config.patience()) {
                        break;
                    }
                }
            } finally {
                trainable.forEach(name -> executor.weight(name).setRequiresGradient(false));
                executor.setTraining(false);
            }
        }
        if (best != null) {
            restore(best);
        }
        return new Result(history);
    }

    private double[] trainEpoch(Batches batches, Random random, CrossEntropy loss, Optimizer optimizer,
            List<String> trainable, String input, String output, int epoch, Listener listener) {
        long[] order = batches.order(random);
        double lossSum = 0;
        long correct = 0;
        executor.setTraining(true);
        for (int b = 0; b < batches.count(); b++) {
            try (NDManager batch = Engines.newManager()) {
                NDArray[] xy = batches.get(batch, order, b);
                NDArray logits;
                NDArray value;
                try (GradientCollector collector = Engines.pytorch().newGradientCollector()) {
                    logits = executor.run(batch, Map.of(input, xy[0]), List.of(output)).get(output);
                    value = loss.loss(logits, xy[1]);
                    collector.backward(value);
                }
                for (String name : trainable) {
                    NDArray weight = executor.weight(name);
                    try (NDArray grad = weight.getGradient()) {
                        optimizer.update(name, weight, grad);
                        grad.subi(grad);
                    }
                }
                double batchLoss = value.getFloat();
                if (!Double.isFinite(batchLoss)) {
                    throw new CandorException("the training loss became " + batchLoss + " in epoch " + epoch
                            + "; lower the learning rate");
                }
                lossSum += batchLoss * xy[1].size();
                correct += logits.argMax(1).eq(xy[1]).sum().toType(ai.djl.ndarray.types.DataType.INT64, false).getLong();
                listener.batch(epoch, b + 1, batches.count(), batchLoss);
            }
        }
        executor.setTraining(false);
        return new double[] {lossSum / batches.rows(), correct / (double) batches.rows()};
    }

    /** Mean loss and accuracy in evaluation mode. */
    private double[] evaluate(Batches batches, CrossEntropy loss, String input, String output) {
        long[] order = batches.order(null);
        double lossSum = 0;
        long correct = 0;
        for (int b = 0; b < batches.count(); b++) {
            try (NDManager batch = Engines.newManager()) {
                NDArray[] xy = batches.get(batch, order, b);
                NDArray logits = executor.run(batch, Map.of(input, xy[0]), List.of(output)).get(output);
                lossSum += loss.loss(logits, xy[1]).getFloat() * xy[1].size();
                correct += logits.argMax(1).eq(xy[1]).sum().toType(ai.djl.ndarray.types.DataType.INT64, false).getLong();
            }
        }
        return new double[] {lossSum / batches.rows(), correct / (double) batches.rows()};
    }

    private Optimizer optimizer() {
        Tracker lr = Tracker.fixed(config.learningRate());
        return switch (config.optimizer()) {
            case "adam" -> Optimizer.adam().optLearningRateTracker(lr).optWeightDecays(config.weightDecay()).build();
            case "sgd" -> Optimizer.sgd().setLearningRateTracker(lr).optMomentum(config.momentum())
                    .optWeightDecays(config.weightDecay()).build();
            default -> throw new CandorException("--optimizer must be adam or sgd, got '" + config.optimizer() + "'");
        };
    }

    private List<String> floatingWeights() {
        List<String> names = new ArrayList<>();
        executor.model().graph().initializers().forEach((name, t) -> {
            if (t.type().isFloating()) {
                names.add(name);
            }
        });
        return names;
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
}
