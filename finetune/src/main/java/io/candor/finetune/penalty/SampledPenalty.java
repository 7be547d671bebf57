package io.candor.finetune.penalty;

import ai.djl.ndarray.NDArray;
import io.candor.finetune.Batch;
import io.candor.interop.exec.Executor;
import io.candor.interop.exec.vjp.InputGradient;
import java.util.function.Consumer;

/**
 * A penalty computed from passes of its own over inputs it derives from the batch (Expected Gradients'
 * interpolations), too many to hold at once: it is computed in pieces, and each piece's backward pass
 * runs before the next piece, so the weights' gradients accumulate and the trainer takes one optimizer
 * step for the cross-entropy and every piece.
 */
public non-sealed interface SampledPenalty extends Penalty {
    /**
     * Computes the batch's penalty piece by piece, handing {@code backward} lambda times each piece.
     *
     * @return the penalty's value (NaN when no sample is marked)
     */
    float accumulate(Executor executor, InputGradient gradients, Batch batch, float lambda, Consumer<NDArray> backward);

    @Override
    default boolean needsInput() {
        return true;
    }
}
