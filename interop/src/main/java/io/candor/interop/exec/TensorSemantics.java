package io.candor.interop.exec;

import ai.djl.ndarray.NDArray;
import io.candor.interop.CandorException;
import io.candor.interop.onnx.Node;
import java.util.List;
import java.util.Map;

/** Plain evaluation: a value is a tensor, and each op runs its {@link OpKernel}. */
public final class TensorSemantics implements Semantics<NDArray> {
    private final Map<String, OpKernel> kernels;

    public TensorSemantics(Map<String, OpKernel> kernels) {
        this.kernels = kernels;
    }

    @Override
    public NDArray constant(NDArray tensor) {
        return tensor;
    }

    @Override
    public List<NDArray> apply(Node node, List<NDArray> inputs, EvalContext context) {
        OpKernel kernel = kernels.get(node.opType());
        if (kernel == null) {
            throw new CandorException(node.describe() + ": op type " + node.opType() + " has no kernel");
        }
        return kernel.apply(new OpCall(node, inputs, context));
    }

    @Override
    public List<NDArray> arrays(NDArray value) {
        return List.of(value);
    }
}
