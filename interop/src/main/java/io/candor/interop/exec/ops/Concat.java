package io.candor.interop.exec.ops;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDArrays;
import ai.djl.ndarray.NDList;
import io.candor.interop.exec.OpCall;
import io.candor.interop.exec.OpKernel;
import java.util.List;

/** ONNX Concat along {@code axis}. */
public final class Concat implements OpKernel {
    @Override
    public List<NDArray> apply(OpCall call) {
        NDList parts = new NDList();
        for (int i = 0; i < call.inputCount(); i++) {
            if (call.optional(i) != null) {
                parts.add(call.optional(i));
            }
        }
        int rank = parts.head().getShape().dimension();
        int axis = call.axis(call.attrs().requireInt("axis", call.node()), rank);
        for (NDArray p : parts) {
            if (p.getShape().dimension() != rank) {
                throw call.error("all inputs need rank " + rank + ", got " + p.getShape());
            }
        }
        return List.of(parts.size() == 1 ? Activations.alias(parts.head()) : NDArrays.concat(parts, axis));
    }
}
