package io.candor.finetune;

import ai.djl.ndarray.NDArray;
import io.candor.interop.tensor.Tensors;

/** Cross-entropy of logits against integer labels, optionally with class weights as PyTorch weighs them. */
public final class CrossEntropy {
    private final float[] classWeights;

    /** @param classWeights one weight per class, or {@code null} */
    public CrossEntropy(float[] classWeights) {
        this.classWeights = classWeights == null ? null : classWeights.clone();
    }

    /** The mean loss of the batch: sum(w_y * -log p_y) / sum(w_y). */
    public NDArray loss(NDArray logits, NDArray labels) {
        NDArray picked = logits.logSoftmax(1).gather(labels.expandDims(1), 1).squeeze(1);
        if (classWeights == null) {
            return picked.mean().neg();
        }
        NDArray w = labels.getManager().create(classWeights).get(labels);
        return picked.mul(w).sum().div(w.sum()).neg();
    }

    /**
     * The gradient of {@link #loss} with respect to the logits, written out, (softmax - one-hot) w_y /
     * sum(w_y), so that it can be differentiated again.
     */
    public NDArray gradient(NDArray logits, NDArray labels) {
        long classes = logits.getShape().get(1);
        NDArray oneHot = labels.oneHot((int) classes).toType(logits.getDataType(), false);
        NDArray residual = logits.softmax(1).sub(oneHot);
        if (classWeights == null) {
            return Tensors.over(residual, labels.size());
        }
        NDArray w = labels.getManager().create(classWeights).get(labels);
        return residual.mul(w.expandDims(1)).div(w.sum());
    }
}
