package io.candor.attribution;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDManager;

/** The completeness (summation-to-delta) check shared by integrated gradients and DeepLIFT. */
public final class Completeness {
    private Completeness() {
    }

    /** Per sample: sum(attributions) - (logit_t(input) - logit_t(baseline)). */
    public static float[] error(DifferentiableModel model, NDManager batch, NDArray input, NDArray baseline,
            long[] targets, NDArray attributions) {
        long n = input.getShape().get(0);
        NDArray at = model.logits(batch, input);
        NDArray broadcast = baseline.broadcast(input.getShape());
        broadcast.attach(batch);
        NDArray base = model.logits(batch, broadcast);
        NDArray seed = DifferentiableModel.oneHot(batch, targets, at.getShape().get(1));
        NDArray delta = at.sub(base).mul(seed).sum(new int[] {1});
        NDArray sums = attributions.reshape(n, -1).sum(new int[] {1});
        return sums.sub(delta).toFloatArray();
    }
}
