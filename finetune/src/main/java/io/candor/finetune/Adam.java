package io.candor.finetune;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDManager;

/**
 * PyTorch's Adam (betas 0.9 and 0.999, eps 1e-8), weight decay added to the gradient (L2, not AdamW):
 * m = b1 m + (1 - b1) g, v = b2 v + (1 - b2) g^2, w -= lr / (1 - b1^t) * m / (sqrt(v) / sqrt(1 - b2^t) + eps).
 */
final class Adam extends StatefulOptimizer {
    private static final float BETA1 = 0.9f;
    private static final float BETA2 = 0.999f;
    private static final float EPS = 1e-8f;
    private final float lr;
    private final float weightDecay;

    Adam(float lr, float weightDecay) {
        this.lr = lr;
        this.weightDecay = weightDecay;
    }

    @Override
    public void update(NDManager scratch, String name, NDArray weight, NDArray gradient) {
        long t = state.increment("step/" + name);
        NDArray m = state.array("exp_avg/" + name, weight);
        NDArray v = state.array("exp_avg_sq/" + name, weight);
        NDArray g = decayed(scratch, weight, gradient, weightDecay);
        m.muli(BETA1).addi(g.mul(1 - BETA1)); // no autograd
        v.muli(BETA2).addi(g.square().muli(1 - BETA2));
        double correction1 = 1 - Math.pow(BETA1, t);
        double correction2 = Math.sqrt(1 - Math.pow(BETA2, t));
        NDArray denominator = local(scratch, v.sqrt()).divi((float) correction2).addi(EPS);
        weight.subi(local(scratch, m.div(denominator)).muli((float) (lr / correction1)));
    }
}
