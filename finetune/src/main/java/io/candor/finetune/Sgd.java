package io.candor.finetune;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDManager;

/**
 * PyTorch's SGD: g = grad + weight_decay w; with momentum, buf = g at the first step and
 * buf = momentum buf + g after, and w -= lr buf; without, w -= lr g.
 */
final class Sgd extends StatefulOptimizer {
    private final float lr;
    private final float momentum;
    private final float weightDecay;

    Sgd(float lr, float momentum, float weightDecay) {
        this.lr = lr;
        this.momentum = momentum;
        this.weightDecay = weightDecay;
    }

    @Override
    public void update(NDManager scratch, String name, NDArray weight, NDArray gradient) {
        NDArray g = decayed(scratch, weight, gradient, weightDecay);
        if (momentum > 0) {
            String key = "momentum_buffer/" + name;
            boolean first = !state.has(key);
            NDArray buffer = state.array(key, weight);
            (first ? buffer : buffer.muli(momentum)).addi(g);
            g = buffer;
        }
        weight.subi(local(scratch, g.mul(lr)));
    }
}
