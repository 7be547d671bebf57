package io.candor.attribution.methods;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDManager;
import io.candor.attribution.AttributionMethod;
import io.candor.attribution.DifferentiableModel;

/** Gradient x input: the gradient of the target logit times the input, elementwise. */
public final class InputXGradient implements AttributionMethod {
    @Override
    public NDArray attribute(DifferentiableModel model, NDManager batch, NDArray input, long[] targets) {
        return Saliency.gradient(model, batch, input, targets).mul(input);
    }
}
