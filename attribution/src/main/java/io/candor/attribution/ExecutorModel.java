package io.candor.attribution;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDManager;
import io.candor.interop.exec.Executor;
import java.util.HashMap;
import java.util.List;
import java.util.Map;

/**
 * An ONNX graph on the executor as a {@link DifferentiableModel}: one explained input and one output;
 * any other inputs are held fixed.
 */
public final class ExecutorModel implements DifferentiableModel {
    private final Executor executor;
    private final String input;
    private final String output;
    private final Map<String, NDArray> fixed;

    public ExecutorModel(Executor executor, String input, String output, Map<String, NDArray> fixedInputs) {
        this.executor = executor;
        this.input = input;
        this.output = output;
        this.fixed = Map.copyOf(fixedInputs);
        executor.graph().requireTensor(input);
        executor.graph().requireTensor(output);
    }

    /** The model's single input and first output. */
    public static ExecutorModel of(Executor executor) {
        return new ExecutorModel(executor, executor.singleInput(), executor.graph().outputs().get(0).name(), Map.of());
    }

    public Executor executor() {
        return executor;
    }

    public String input() {
        return input;
    }

    public String output() {
        return output;
    }

    @Override
    public NDArray logits(NDManager batch, NDArray x) {
        return executor.run(batch, feeds(x), List.of(output)).get(output);
    }

    /** The declared width of the output when the model fixes it, else from a forward pass. */
    @Override
    public long classes(NDManager batch, NDArray x) {
        var declared = executor.graph().outputs().stream().filter(v -> v.name().equals(output)).findFirst();
        if (declared.isPresent() && declared.get().dims().size() == 2
                && declared.get().dims().get(1).chars().allMatch(Character::isDigit)) {
            return Long.parseLong(declared.get().dims().get(1));
        }
        return DifferentiableModel.super.classes(batch, x);
    }

    @Override
    public NDArray inputGradient(NDManager batch, NDArray x, NDArray seed) {
        return executor.gradients(batch, feeds(x), output, seed, List.of(input)).get(input);
    }

    private Map<String, NDArray> feeds(NDArray x) {
        Map<String, NDArray> feeds = new HashMap<>(fixed);
        feeds.put(input, x);
        return feeds;
    }
}
