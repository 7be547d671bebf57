package io.candor.interop.exec.ops;

import ai.djl.ndarray.NDArray;
import io.candor.interop.exec.OpCall;
import io.candor.interop.exec.OpKernel;
import io.candor.interop.tensor.Tensors;
import java.util.Arrays;
import java.util.List;

/** ONNX Gemm: alpha * A' B' + beta * C, with the fused PyTorch linear for the common nn.Linear case. */
public final class Gemm implements OpKernel {
    @Override
    public List<NDArray> apply(OpCall call) {
        NDArray a = call.input(0);
        NDArray b = call.input(1);
        NDArray c = call.optional(2);
        call.requireRank(a, 2, "A");
        call.requireRank(b, 2, "B");
        boolean transA = call.attrs().getInt("transA", 0) != 0;
        boolean transB = call.attrs().getInt("transB", 0) != 0;
        float alpha = call.attrs().getFloat("alpha", 1f);
        float beta = call.attrs().getFloat("beta", 1f);
        long inner = transA ? a.getShape().get(0) : a.getShape().get(1);
        long innerB = transB ? b.getShape().get(1) : b.getShape().get(0);
        if (inner != innerB) {
            throw call.error("A " + Arrays.toString(a.getShape().getShape()) + " and B "
                    + Arrays.toString(b.getShape().getShape()) + " do not multiply (transA=" + transA
                    + ", transB=" + transB + ")");
        }
        if (!transA && transB && alpha == 1f && beta == 1f && c != null && c.getShape().dimension() == 1) {
            return List.of(a.getNDArrayInternal().linear(a, b, c).singletonOrThrow());
        }
        NDArray y = (transA ? a.transpose() : a).matMul(transB ? b.transpose() : b);
        if (alpha != 1f) {
            y = Tensors.times(y, alpha);
        }
        if (c != null) {
            y = y.add(beta == 1f ? c : Tensors.times(c, beta));
        }
        return List.of(y);
    }
}
