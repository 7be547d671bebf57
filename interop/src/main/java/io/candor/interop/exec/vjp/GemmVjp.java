package io.candor.interop.exec.vjp;

import ai.djl.ndarray.NDArray;
import io.candor.interop.onnx.Node;
import io.candor.interop.tensor.Tensors;
import java.util.List;

/** Gemm (y = alpha A op(B) + beta C) with respect to A, for A not transposed: alpha g op(B)^T. */
final class GemmVjp implements VjpRule {
    @Override
    public NDArray apply(Node node, List<NDArray> inputs, NDArray output, NDArray gradient, boolean training) {
        if (node.attributes().getInt("transA", 0) != 0) {
            throw VjpRule.unsupported(node, "Gemm with transA");
        }
        NDArray b = inputs.get(1);
        NDArray grad = node.attributes().getInt("transB", 0) != 0 ? gradient.matMul(b) : gradient.matMul(b.transpose());
        float alpha = node.attributes().getFloat("alpha", 1f);
        return alpha == 1f ? grad : Tensors.times(grad, alpha);
    }
}
