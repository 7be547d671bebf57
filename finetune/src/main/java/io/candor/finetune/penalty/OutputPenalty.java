package io.candor.finetune.penalty;

import ai.djl.ndarray.NDArray;
import io.candor.finetune.Batch;
import io.candor.interop.exec.Executor;

/**
 * A penalty on an explanation of the model's outputs: a differentiable scalar over a mini-batch,
 * computed inside the training step's gradient recording, in training mode, so that its gradient reaches
 * the trained weights with the cross-entropy's in one backward pass.
 */
public non-sealed interface OutputPenalty extends Penalty {
    /**
     * The penalty of the batch, or {@code null} when no sample in it is penalised (a sample whose
     * spurious mask is all zeros gets no penalty).
     */
    NDArray value(Executor executor, Batch batch);

    /** The logits of a batch and its penalty, from one pass. */
    record Forward(NDArray logits, NDArray penalty) {
    }

    /**
     * The batch's logits and penalty from one pass that is also the step's forward pass (in training
     * mode, updating what the forward pass updates), or {@code null} when this penalty cannot give the
     * logits or no sample is penalised: then the trainer runs the forward pass itself and asks
     * {@link #value}.
     */
    default Forward forward(Executor executor, Batch batch) {
        return null;
    }
}
