package io.candor.interop.exec;

import ai.djl.ndarray.NDArray;
import io.candor.interop.onnx.Node;
import java.util.List;

/**
 * What a value <em>is</em> while a graph is evaluated, and how each op computes it. Plain evaluation
 * uses tensors; an attribution method can use richer values (for contextual decomposition, a pair of
 * total and relevant parts) and supply its own rule per op type. The {@link GraphRunner} only walks the
 * graph; it never looks inside a value.
 *
 * @param <V> the value type
 */
public interface Semantics<V> {

    /** Wraps a weight or another constant tensor as a value. The runner never releases it. */
    V constant(NDArray tensor);

    /**
     * Computes the outputs of {@code node}. Absent optional inputs are {@code null}. The returned values
     * must be new (never one of the inputs), since the runner releases intermediates after their last
     * use; results may live in any manager, the runner moves them to the batch's.
     */
    List<V> apply(Node node, List<V> inputs, EvalContext context);

    /** Frees a value the runner no longer needs. */
    default void release(V value) {
        arrays(value).forEach(NDArray::close);
    }

    /** The arrays a value holds, so the runner can move them between managers. */
    List<NDArray> arrays(V value);
}
