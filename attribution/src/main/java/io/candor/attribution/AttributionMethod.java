package io.candor.attribution;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDManager;

/** A method whose attributions have the input's shape. */
public interface AttributionMethod {

    /** Attributions of logit {@code targets[n]} of sample n, the input's shape, living in {@code batch}. */
    NDArray attribute(DifferentiableModel model, NDManager batch, NDArray input, long[] targets);

    /**
     * For methods with a completeness property (integrated gradients, DeepLIFT): per sample, the sum of
     * the attributions minus (target logit at the input - target logit at the baseline). Empty otherwise.
     */
    default float[] completenessError(DifferentiableModel model, NDManager batch, NDArray input, long[] targets,
            NDArray attributions) {
        return new float[0];
    }
}
