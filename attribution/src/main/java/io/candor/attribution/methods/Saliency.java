package io.candor.attribution.methods;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDManager;
import io.candor.attribution.AttributionMethod;
import io.candor.attribution.DifferentiableModel;

/** Saliency: the gradient of the target logit with respect to the input, raw or its magnitude. */
public final class Saliency implements AttributionMethod {
    private final boolean absolute;

    public Saliency(boolean absolute) {
        this.absolute = absolute;
    }

    @Override
    public NDArray attribute(DifferentiableModel model, NDManager batch, NDArray input, long[] targets) {
        NDArray grad = gradient(model, batch, input, targets);
        return absolute ? grad.abs() : grad;
    }

    static NDArray gradient(DifferentiableModel model, NDManager batch, NDArray input, long[] targets) {
        long classes = model.classes(batch, input);
        return model.inputGradient(batch, input, DifferentiableModel.oneHot(batch, targets, classes));
    }
}
