package io.candor.finetune.penalty;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.types.Shape;
import io.candor.finetune.CrossEntropy;

/**
 * RR-ClArC (Dreyer et al. 2024, "From Hope to Safety"): the model is right for the right reason in latent
 * space when its output does not move along the artifact's concept activation vector v at a hidden
 * tensor. The penalty is the mean over the batch of (v^T d f_y / d a)^2, the gradient of each sample's
 * true-class logit at the tensor a, projected on v.
 *
 * <p>a is the cut of fine-tuning, so the batches may come from the cached prefix: the gradient is taken
 * with respect to what the batch is fed at. It is written out as an explicit backward pass, as RRR's,
 * so the penalty trains with the step's one backward pass; no sample needs a mask.
 */
public final class RrClarc implements InputGradientPenalty {
    private final float[] v;

    /** @param v the unit CAV at the cut, flattened ([D] for activations [N, ...] of D values per sample) */
    public RrClarc(float[] v) {
        this.v = v.clone();
    }

    @Override
    public boolean needsInput() {
        return false;
    }

    @Override
    public boolean needsMasks() {
        return false;
    }

    /** The gradient of the sum of each sample's true-class logit: one-hot rows. */
    @Override
    public NDArray seed(NDArray logits, NDArray labels, CrossEntropy loss) {
        return labels.toType(ai.djl.ndarray.types.DataType.INT64, false).oneHot((int) logits.getShape().get(1))
                .toType(logits.getDataType(), false);
    }

    @Override
    public NDArray fromInputGradient(NDArray gradient, NDArray spurious) {
        long n = gradient.getShape().get(0);
        NDArray flat = gradient.reshape(new Shape(n, -1));
        if (flat.getShape().get(1) != v.length) {
            throw new io.candor.interop.CandorException("the CAV has " + v.length + " values but the cut has "
                    + flat.getShape().get(1) + " per sample");
        }
        NDArray direction = flat.getManager().create(v, new Shape(v.length, 1)).toType(flat.getDataType(), false);
        return flat.matMul(direction).square().mean();
    }
}
