package io.candor.finetune.penalty;

import ai.djl.ndarray.NDArray;

/**
 * "Right for the right reasons" as the CDEP reference code computes it ({@code gradient_sum}): the sum
 * over the spurious pixels of the squared gradient of the batch's mean cross-entropy with respect to the
 * input, summed over channels first. (Ross et al. 2017 differentiate the summed log-probabilities
 * instead; the reference's form is kept so its lambdas carry over.) An input that is not an image (rank
 * other than 4) has no channel axis to sum over: there each input element's squared gradient counts.
 */
public final class Rrr implements InputGradientPenalty {
    @Override
    public NDArray fromInputGradient(NDArray gradient, NDArray spurious) {
        NDArray mask = spurious.toType(gradient.getDataType(), false);
        if (gradient.getShape().dimension() == 4) {
            NDArray perPixel = gradient.sum(new int[] {1}, true);
            // A pixel is spurious where any of its channels is marked.
            NDArray pixels = mask.getShape().dimension() == 4 ? mask.max(new int[] {1}, true) : mask;
            return perPixel.square().mul(pixels).sum();
        }
        return gradient.square().mul(mask).sum();
    }
}
