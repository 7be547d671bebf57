package io.candor.finetune.penalty;

import io.candor.finetune.CrossEntropy;

import ai.djl.ndarray.NDArray;

/**
 * A penalty on the gradient of the batch's cross-entropy with respect to the model's input, where the
 * input is marked spurious. The trainer writes that gradient out as an explicit backward pass
 * ({@link io.candor.interop.exec.vjp.InputGradient}), an ordinary differentiable tensor, so the
 * penalty's gradient reaches the weights in the step's one backward pass.
 */
public non-sealed interface InputGradientPenalty extends Penalty {
    /**
     * The penalty from the input gradient and the batch's spurious masks (1 = spurious, broadcastable to
     * the gradient); differentiable in the gradient.
     */
    NDArray fromInputGradient(NDArray gradient, NDArray spurious);

    @Override
    default boolean needsInput() {
        return true;
    }

    /**
     * The gradient, with respect to the logits, of the function whose input gradient is penalised: the
     * batch's cross-entropy (RRR's), unless the penalty says otherwise.
     */
    default NDArray seed(NDArray logits, NDArray labels, CrossEntropy loss) {
        return loss.gradient(logits, labels);
    }
}
