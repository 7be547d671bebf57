package io.candor.finetune;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDManager;
import io.candor.interop.tensor.HostTensor;
import java.util.Map;

/** What Adam and SGD share: their per-weight state, its saving and restoring, and two array helpers. */
abstract class StatefulOptimizer implements Optimizer {
    protected final OptimizerState state = new OptimizerState();

    @Override
    public Map<String, HostTensor> state() {
        return state.save();
    }

    @Override
    public void restore(Map<String, HostTensor> saved) {
        state.load(saved);
    }

    @Override
    public void close() {
        state.close();
    }

    /** grad + weightDecay * weight, as a new array owned by {@code scratch}. */
    static NDArray decayed(NDManager scratch, NDArray weight, NDArray gradient, float weightDecay) {
        NDArray g = local(scratch, gradient.duplicate());
        return weightDecay == 0 ? g : g.addi(local(scratch, weight.mul(weightDecay)));
    }

    /** Moves a temporary (which DJL attaches to its first operand's manager) into {@code scratch}. */
    static NDArray local(NDManager scratch, NDArray temporary) {
        temporary.attach(scratch);
        return temporary;
    }
}
