package io.candor.interop.exec.vjp;

import ai.djl.ndarray.NDArray;
import io.candor.interop.CandorException;
import io.candor.interop.onnx.Node;
import java.util.List;

/**
 * How one op passes a gradient back from its first output to its first input, written with ordinary
 * differentiable ops on the forward values, so that the result can itself be differentiated.
 */
@FunctionalInterface
public interface VjpRule {
    /**
     * The gradient with respect to input 0.
     *
     * @param node the node, for its attributes
     * @param inputs its forward inputs (input 0 and its weights)
     * @param output its forward output 0
     * @param gradient the gradient with respect to output 0
     * @param training whether the node ran in training mode
     */
    NDArray apply(Node node, List<NDArray> inputs, NDArray output, NDArray gradient, boolean training);

    static CandorException unsupported(Node node, String what) {
        return new CandorException("the explicit input gradient does not support " + what + " yet ("
                + node.describe() + ")");
    }
}
