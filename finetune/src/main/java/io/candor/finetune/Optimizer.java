package io.candor.finetune;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDManager;
import io.candor.interop.CandorException;
import io.candor.interop.tensor.HostTensor;
import java.util.List;
import java.util.Map;

/**
 * Updates weights in place from their gradients, as PyTorch's optimizer of the same name does, and
 * keeps its state (moments, step counts) where a checkpoint can save and restore it, so that a resumed
 * run continues exactly where the stopped one was.
 */
public interface Optimizer extends AutoCloseable {
    /** The optimizers {@link #of} knows. */
    List<String> NAMES = List.of("adam", "sgd");

    /**
     * Applies one step to {@code weight} (in place) given its gradient; temporaries go to {@code scratch},
     * which the caller closes after the step's updates.
     */
    void update(NDManager scratch, String name, NDArray weight, NDArray gradient);

    /** The state by key, copied to the host. */
    Map<String, HostTensor> state();

    /** Puts state saved by {@link #state()} back. */
    void restore(Map<String, HostTensor> state);

    @Override
    void close();

    static Optimizer of(TrainingConfig config) {
        return switch (config.optimizer()) {
            case "adam" -> new Adam(config.learningRate(), config.weightDecay());
            case "sgd" -> new Sgd(config.learningRate(), config.momentum(), config.weightDecay());
            default -> throw new CandorException("--optimizer must be one of " + String.join(", ", NAMES) + ", got '"
                    + config.optimizer() + "'");
        };
    }
}
