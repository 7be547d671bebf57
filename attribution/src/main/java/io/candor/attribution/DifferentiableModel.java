package io.candor.attribution;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDManager;

/**
 * What gradient-based methods need of a model with one explained input: its logits, and the gradient
 * of a weighted sum of logits with respect to the input. An ONNX graph on the executor is one; a
 * TorchScript module is another.
 */
public interface DifferentiableModel {

    /** Logits [batch, classes] for {@code input}; the result lives in {@code batch}. */
    NDArray logits(NDManager batch, NDArray input);

    /** d sum(logits * seed) / d input, the input's shape; {@code seed} is [batch, classes]. */
    NDArray inputGradient(NDManager batch, NDArray input, NDArray seed);

    /** The number of classes; by default from a forward pass, which a model that declares it can skip. */
    default long classes(NDManager batch, NDArray input) {
        return logits(batch, input).getShape().get(1);
    }

    /** One-hot seeds [batch, classes] that pick {@code targets[n]} for sample n. */
    static NDArray oneHot(NDManager batch, long[] targets, long classes) {
        float[] seed = new float[(int) (targets.length * classes)];
        for (int n = 0; n < targets.length; n++) {
            seed[(int) (n * classes + targets[n])] = 1;
        }
        return batch.create(seed, new ai.djl.ndarray.types.Shape(targets.length, classes));
    }
}
