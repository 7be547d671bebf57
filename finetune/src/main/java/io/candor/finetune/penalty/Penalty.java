package io.candor.finetune.penalty;

import ai.djl.ndarray.NDArray;
import io.candor.finetune.Batch;
import io.candor.interop.CandorException;
import io.candor.interop.exec.Executor;

/**
 * An explanation penalty: a differentiable scalar over a mini-batch that the trainer adds to the
 * cross-entropy, times lambda. It is computed inside the training step's gradient recording, in training
 * mode, so its gradient reaches the trained weights along with the cross-entropy's in one backward pass
 * and one optimizer step.
 */
public interface Penalty {
    /** The names {@link #named} knows. */
    java.util.List<String> NAMES = java.util.List.of("none", "cdep");

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

    /** The penalty called {@code name} ("none" gives {@code null}). */
    static Penalty named(String name) {
        return switch (name) {
            case "none" -> null;
            case "cdep" -> new Cdep();
            default -> throw new CandorException("--penalty must be one of " + String.join(", ", NAMES) + ", got '"
                    + name + "'");
        };
    }
}
