package io.candor.interop.exec.ops;

import ai.djl.ndarray.NDArray;
import io.candor.interop.exec.OpCall;
import io.candor.interop.exec.OpKernel;
import java.util.Arrays;
import java.util.List;

/** ONNX MatMul, NumPy semantics (batched, broadcast), as torch.matmul. */
public final class MatMul implements OpKernel {
    @Override
    public List<NDArray> apply(OpCall call) {
        NDArray a = call.input(0);
        NDArray b = call.input(1);
        long[] as = a.getShape().getShape();
        long[] bs = b.getShape().getShape();
        long k = as.length == 0 ? -1 : as[as.length - 1];
        long kb = bs.length == 0 ? -2 : bs.length == 1 ? bs[0] : bs[bs.length - 2];
        if (k != kb) {
            throw call.error("cannot multiply " + Arrays.toString(as) + " by " + Arrays.toString(bs));
        }
        return List.of(a.matMul(b));
    }
}
