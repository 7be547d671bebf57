package io.candor.interop.exec.ops;

import ai.djl.ndarray.NDArray;
import io.candor.interop.exec.OpCall;
import io.candor.interop.exec.OpKernel;
import java.util.List;
import java.util.stream.IntStream;

/** ONNX GlobalAveragePool: the mean over every spatial axis, kept as size-1 axes. */
public final class GlobalAveragePool implements OpKernel {
    @Override
    public List<NDArray> apply(OpCall call) {
        NDArray x = call.input(0);
        int rank = x.getShape().dimension();
        if (rank < 3) {
            throw call.error("input must be N x C x spatial, got " + x.getShape());
        }
        return List.of(x.mean(IntStream.range(2, rank).toArray(), true));
    }
}
