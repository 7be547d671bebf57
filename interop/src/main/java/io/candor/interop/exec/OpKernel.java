package io.candor.interop.exec;

import ai.djl.ndarray.NDArray;
import java.util.List;

/**
 * The plain (tensor) meaning of one ONNX op type. A kernel returns new arrays, one per node output it
 * computes ({@code null} for an optional output nobody reads), and may leave temporaries in
 * {@link OpCall#manager()}, which is freed after the node.
 */
@FunctionalInterface
public interface OpKernel {
    List<NDArray> apply(OpCall call);

    /** A kernel of an op with one output. */
    static OpKernel single(java.util.function.Function<OpCall, NDArray> f) {
        return call -> List.of(f.apply(call));
    }
}
